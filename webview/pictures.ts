// The SVG pictures in the panels: built node by node from the trees the view carries (pictures/tree.ts;
// tags and attributes checked by the view's validator), text as text nodes — nothing here parses markup. Styled by one
// constructed stylesheet (CSSOM, which the panel's CSP allows without inline styles); a picker for the drawn
// transaction; exits with a line reveal it on click or Enter.
import { PICTURE_CSS } from '../src/presentation/pictures/svg';
import type { PictureNode, PicturesView } from '../src/shared/views';
import { el, section } from './dom';

const SVG_NS = 'http://www.w3.org/2000/svg';
const SVG_TAGS = new Set(['svg', 'g', 'rect', 'path', 'circle', 'line', 'polyline', 'text', 'title']);
let styled = false;

function adoptPictureStyles(): void {
  if (styled || typeof CSSStyleSheet === 'undefined' || !('adoptedStyleSheets' in document)) return;
  styled = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(PICTURE_CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

type Reveal = (line: number) => void;

/** Exits with a source line reveal it on click or Enter (the table under the picture lists them too). */
function wireExit(node: Element, n: PictureNode, reveal: Reveal): void {
  const cls = n.attrs.find(([k]) => k === 'class')?.[1] ?? '';
  const line = Number(n.attrs.find(([k]) => k === 'data-line')?.[1]);
  if (!cls.split(' ').includes('ktl-exit') || !Number.isInteger(line) || line < 1) return;
  node.setAttribute('tabindex', '0');
  node.addEventListener('click', () => reveal(line));
  node.addEventListener('keydown', (e: Event) => {
    const key = (e as KeyboardEvent).key;
    if (key === 'Enter' || key === ' ') reveal(line);
  });
}

export function pictureNode(n: PictureNode, reveal: Reveal | null = null): Element {
  adoptPictureStyles();
  const node = SVG_TAGS.has(n.tag) ? document.createElementNS(SVG_NS, n.tag) : document.createElement(n.tag);
  for (const [k, v] of n.attrs) node.setAttribute(k, v);
  for (const c of n.children) node.append(typeof c === 'string' ? document.createTextNode(c) : pictureNode(c, reveal));
  if (reveal && n.tag === 'g') wireExit(node, n, reveal);
  return node;
}

/** The median transaction drawn, a picker for the p99 and the others; null when none was drawn. */
export function transactionsSection(p: PicturesView, reveal: Reveal): HTMLElement | null {
  if (p.transactions.length === 0) return null;
  const wrappers = p.transactions.map((t, i) => {
    const box = el('div', { class: 'ktl-drawn', 'data-which': t.which }, pictureNode(t.tree, reveal));
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

export function figuresSection(
  title: string,
  note: string | null,
  figures: readonly PictureNode[],
): HTMLElement | null {
  if (figures.length === 0) return null;
  return section(title, note, el('div', { class: 'ktl-figures' }, ...figures.map((f) => pictureNode(f))));
}
