// The SVG pictures in the panels: markup made by src/presentation/pictures (every trace-derived string escaped there,
// no scripts, no style attributes) parsed inert by DOMParser, styled by one constructed stylesheet (CSSOM, which the
// panel's CSP allows without any inline style), a picker for the drawn transaction, and exits that reveal their line.
import { PICTURE_CSS } from '../src/presentation/pictures/svg';
import type { PicturesView } from '../src/shared/views';
import { el, section } from './dom';

let styled = false;

function adoptPictureStyles(): void {
  if (styled) return;
  styled = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(PICTURE_CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

/** One <figure> from its markup; a parse that does not give one figure gives nothing. */
export function pictureNode(html: string): Element | null {
  adoptPictureStyles();
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const figure = doc.body.firstElementChild;
  if (!figure || figure.tagName !== 'FIGURE' || doc.body.childElementCount !== 1) return null;
  if (figure.querySelector('script, foreignObject, iframe')) return null;
  return document.adoptNode(figure);
}

/** Exits with a source line reveal it on click or Enter (the table under the picture lists them too). */
function wireExits(figure: Element, reveal: (line: number) => void): void {
  figure.querySelectorAll<SVGGElement>('g.ktl-exit[data-line]').forEach((mark) => {
    const line = Number(mark.dataset.line);
    if (!Number.isInteger(line) || line < 1) return;
    mark.setAttribute('tabindex', '0');
    mark.addEventListener('click', () => reveal(line));
    mark.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter' || e.key === ' ') reveal(line);
    });
  });
}

/** The median transaction drawn, a picker for the p99 and the others; null when none was drawn. */
export function transactionsSection(p: PicturesView, reveal: (line: number) => void): HTMLElement | null {
  if (p.transactions.length === 0) return null;
  const wrappers = p.transactions.map((t, i) => {
    const box = el('div', { class: 'ktl-drawn', 'data-which': t.which });
    const figure = pictureNode(t.html);
    if (figure) {
      wireExits(figure, reveal);
      box.append(figure);
    }
    box.hidden = i > 0;
    return box;
  });
  const picker = el('select', { class: 'ktl-picker', 'data-testid': 'transaction-picker', 'aria-label': 'Which' });
  p.transactions.forEach((t, i) => picker.append(el('option', { value: String(i) }, t.which)));
  picker.addEventListener('change', () => wrappers.forEach((w, i) => (w.hidden = String(i) !== picker.value)));
  const note =
    'One round trip across the CPUs: ▲ on the critical path, ○ off it, □ not attributed. ' +
    'Hover a mark to name its exit; click it to see its line in the trace.';
  return section('A transaction, drawn', note, el('label', {}, 'Show ', picker), ...wrappers);
}

export function figuresSection(title: string, note: string | null, figures: readonly string[]): HTMLElement | null {
  const nodes = figures.map(pictureNode).filter((n): n is Element => n !== null);
  if (nodes.length === 0) return null;
  return section(title, note, el('div', { class: 'ktl-figures' }, ...nodes));
}
