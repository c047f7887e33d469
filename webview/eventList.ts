// The trace.dat editor's event list: a virtual list that renders only the rows in view (fixed row height, a small
// pool of row elements reused while scrolling) and fetches rows by index range from the extension host, so millions
// of events scroll smoothly. Filters (event name, CPU, text) are applied where the events are (the host); the list
// only asks for rows i..j of the filtered sequence. The pure parts (windowing, filter matching, trace-cmd's time
// and line format) are exported for tests.
import { clear, el } from './dom';
import {
  formatEventLine,
  instanceWidthOf,
  NO_FILTER,
  type EventFilter,
  type EventRow,
} from '../src/core/tracedat/eventRows';

export { formatEventLine, formatTraceCmdTime, matchesFilter, NO_FILTER } from '../src/core/tracedat/eventRows';
export type { EventFilter, EventRow } from '../src/core/tracedat/eventRows';

/** What the list needs from the host (the paging API over trace.dat events). */
export interface EventSource {
  /** How many events pass the filter. */
  count(filter: EventFilter): Promise<number>;
  /** Rows `first` ≤ i < `last` of the filtered sequence (fewer at the end). */
  rows(first: number, last: number, filter: EventFilter): Promise<EventRow[]>;
  /** Event names and CPUs in the trace, for the filter pickers; buffer instances other than the top one. */
  facets(): Promise<{ names: string[]; cpus: number[]; instances?: string[] }>;
  /** Position of the unfiltered event `index` in the filtered sequence (or of the next one that passes). */
  positionOf?(index: number, filter: EventFilter): Promise<number>;
}

// ---- pure parts ----------------------------------------------------------------------------------------------

/** Browsers cap an element's height (~33 M px in Chromium): beyond this the scroll position is scaled. */
export const MAX_SCROLL_PX = 8_000_000;

export interface RowWindow {
  /** First row to render (inclusive) and last (exclusive). */
  first: number;
  last: number;
  /** Where the first rendered row goes, in px from the top of the viewport's content. */
  offsetPx: number;
  /** Height of the scrolled content. */
  contentPx: number;
}

/**
 * Which rows are in view for a scroll position, with `overscan` rows either side. Up to MAX_SCROLL_PX the content is
 * rows × rowHeight; above it the scroll bar maps linearly onto the rows, so the last row is still reachable.
 */
export function rowWindow(
  scrollTop: number,
  viewportPx: number,
  rowPx: number,
  total: number,
  overscan = 8,
): RowWindow {
  const realPx = total * rowPx;
  const contentPx = Math.min(realPx, MAX_SCROLL_PX);
  if (total === 0) return { first: 0, last: 0, offsetPx: 0, contentPx: 0 };
  const scrollable = Math.max(contentPx - viewportPx, 0);
  const top = Math.min(Math.max(scrollTop, 0), scrollable);
  // Position in the real (unscaled) list of the viewport's top edge.
  const realTop = scrollable > 0 ? (top / scrollable) * Math.max(realPx - viewportPx, 0) : 0;
  const firstVisible = Math.floor(realTop / rowPx);
  const first = Math.max(0, firstVisible - overscan);
  const last = Math.min(total, Math.ceil((realTop + viewportPx) / rowPx) + overscan);
  // The first rendered row sits where the real list would put it, shifted into the scaled content's coordinates.
  const offsetPx = top + (first * rowPx - realTop);
  return { first, last, offsetPx, contentPx };
}

/** The scrollTop that shows row `row` at the top (inverse of rowWindow's mapping). */
export function scrollTopFor(row: number, viewportPx: number, rowPx: number, total: number): number {
  const realPx = total * rowPx;
  const contentPx = Math.min(realPx, MAX_SCROLL_PX);
  const scrollable = Math.max(contentPx - viewportPx, 0);
  const realScrollable = Math.max(realPx - viewportPx, 0);
  return realScrollable > 0 ? (Math.min(row * rowPx, realScrollable) / realScrollable) * scrollable : 0;
}

/** Rows are fetched in pages; a page cache keeps the last few around for scrolling back. */
export const PAGE_ROWS = 256;
const CACHED_PAGES = 24;

export function pagesFor(first: number, last: number): number[] {
  const pages: number[] = [];
  for (let p = Math.floor(first / PAGE_ROWS); p * PAGE_ROWS < last; p++) pages.push(p);
  return pages;
}

// ---- the DOM list --------------------------------------------------------------------------------------------

export interface EventListOptions {
  rowPx?: number;
  precision?: 'us' | 'ns';
  /** A row was activated (click / Enter): e.g. reveal the event's analysis context. */
  onSelect?: (row: EventRow) => void;
}

export interface EventListHandle {
  /** Scrolls so that unfiltered event `index` is at the top (after "reveal" from the analysis). */
  reveal(index: number): Promise<void>;
  setFilter(filter: EventFilter): Promise<void>;
  dispose(): void;
}

/** Builds the list in `container` (its root carries data-testid="event-list"; each drawn row "event-row"). */
export function createEventList(
  container: HTMLElement,
  source: EventSource,
  options: EventListOptions = {},
): EventListHandle {
  const rowPx = options.rowPx ?? 20;
  const precision = options.precision ?? 'us';
  let filter: EventFilter = NO_FILTER;
  let total = 0;
  let instanceWidth = 0;
  let generation = 0;
  const cache = new Map<number, EventRow[]>();
  const inflight = new Map<number, Promise<void>>();

  const nameSelect = el(
    'select',
    { 'aria-label': 'Event name', class: 'event-filter-name' },
    el('option', { value: '' }, 'all events'),
  );
  const cpuSelect = el(
    'select',
    { 'aria-label': 'CPU', class: 'event-filter-cpu' },
    el('option', { value: '' }, 'all CPUs'),
  );
  const textInput = el('input', {
    type: 'search',
    placeholder: 'Filter text (payload, task, pid)',
    'aria-label': 'Filter text',
  });
  const status = el('span', { class: 'event-count', role: 'status' });
  const spacer = el('div', { class: 'event-spacer' });
  const rowsBox = el('div', { class: 'event-rows', role: 'presentation' });
  const viewport = el(
    'div',
    { class: 'event-viewport', tabindex: 0, role: 'list', 'aria-label': 'Trace events' },
    spacer,
    rowsBox,
  );
  const root = el(
    'div',
    { class: 'event-list', 'data-testid': 'event-list' },
    el('div', { class: 'event-toolbar' }, nameSelect, cpuSelect, textInput, status),
    viewport,
  );
  viewport.style.cssText =
    'position:relative;overflow:auto;height:calc(100vh - 120px);min-height:200px;' +
    'font-family:var(--vscode-editor-font-family,monospace);font-size:var(--vscode-editor-font-size,12px)';
  rowsBox.style.cssText = 'position:absolute;left:0;right:0;top:0;will-change:transform';
  clear(container);
  container.append(root);

  const pool: HTMLElement[] = [];
  function rowElement(i: number): HTMLElement {
    let r = pool[i];
    if (!r) {
      r = el('div', { class: 'event-row', 'data-testid': 'event-row', role: 'listitem' });
      r.style.cssText =
        // whole lines: a narrow editor scrolls sideways instead of cutting the payload off
        `height:${rowPx}px;line-height:${rowPx}px;white-space:pre;min-width:100%;` +
        'cursor:default;position:absolute;left:0;top:0';
      r.addEventListener('click', () => {
        const row = (r as HTMLElement & { row?: EventRow }).row;
        if (row) options.onSelect?.(row);
      });
      pool[i] = r;
      rowsBox.append(r);
    }
    return r;
  }

  function fetchPage(page: number): Promise<void> {
    const pending = inflight.get(page);
    if (pending) return pending;
    const gen = generation;
    const p = source.rows(page * PAGE_ROWS, (page + 1) * PAGE_ROWS, filter).then((rows) => {
      inflight.delete(page);
      if (gen !== generation) return; // a filter change made this page stale
      cache.set(page, rows);
      if (cache.size > CACHED_PAGES) cache.delete(cache.keys().next().value as number);
      schedule();
    });
    inflight.set(page, p);
    return p;
  }

  let frame = 0;
  function schedule(): void {
    if (!frame) frame = requestAnimationFrame(draw);
  }

  function draw(): void {
    frame = 0;
    const w = rowWindow(viewport.scrollTop, viewport.clientHeight, rowPx, total);
    spacer.style.height = `${w.contentPx}px`;
    rowsBox.style.transform = `translateY(${w.offsetPx}px)`;
    let drawn = 0;
    for (let i = w.first; i < w.last; i++) {
      const page = cache.get(Math.floor(i / PAGE_ROWS));
      if (!page) {
        void fetchPage(Math.floor(i / PAGE_ROWS));
        continue;
      }
      const row = page[i % PAGE_ROWS];
      if (!row) continue;
      const r = rowElement(drawn++) as HTMLElement & { row?: EventRow };
      r.style.display = '';
      r.style.transform = `translateY(${(i - w.first) * rowPx}px)`;
      if (r.row !== row) {
        r.row = row;
        r.textContent = formatEventLine(row, precision, instanceWidth);
        r.dataset.index = String(row.index);
        r.dataset.name = row.name;
        r.dataset.cpu = String(row.cpu);
      }
    }
    // Rows of the pool not needed now are hidden, not removed: the pool stays the size of one screen.
    for (let i = drawn; i < pool.length; i++) pool[i].style.display = 'none';
  }

  async function setFilter(next: EventFilter): Promise<void> {
    filter = next;
    generation++;
    const gen = generation;
    cache.clear();
    inflight.clear();
    showFilter(next);
    status.textContent = 'filtering…';
    const count = await source.count(filter);
    if (gen !== generation) return; // a newer filter is on its way
    total = count;
    status.textContent = `${total.toLocaleString('en-US')} events`;
    viewport.scrollTop = 0;
    schedule();
  }

  /** The pickers show the filter (also one set from outside, e.g. a jump from the analysis). */
  function showFilter(f: EventFilter): void {
    const name = f.names.length === 1 ? f.names[0] : '';
    if (name && !Array.from(nameSelect.options).some((o) => o.value === name))
      nameSelect.append(el('option', { value: name }, name));
    nameSelect.value = name;
    cpuSelect.value = f.cpus.length === 1 ? String(f.cpus[0]) : '';
    if (textInput.value !== f.text) textInput.value = f.text;
  }

  function readFilter(): EventFilter {
    return {
      names: nameSelect.value ? [nameSelect.value] : [],
      cpus: cpuSelect.value ? [Number(cpuSelect.value)] : [],
      text: textInput.value,
    };
  }

  let typing = 0;
  nameSelect.addEventListener('change', () => void setFilter(readFilter()));
  cpuSelect.addEventListener('change', () => void setFilter(readFilter()));
  textInput.addEventListener('input', () => {
    clearTimeout(typing);
    typing = window.setTimeout(() => void setFilter(readFilter()), 250);
  });
  viewport.addEventListener('scroll', schedule, { passive: true });
  const resize = new ResizeObserver(schedule);
  resize.observe(viewport);

  void source.facets().then(({ names, cpus, instances }) => {
    instanceWidth = instanceWidthOf(instances ?? []);
    const listed = new Set(Array.from(nameSelect.options).map((o) => o.value));
    for (const n of names) if (!listed.has(n)) nameSelect.append(el('option', { value: n }, n));
    for (const c of cpus) cpuSelect.append(el('option', { value: String(c) }, `CPU ${c}`));
    showFilter(filter);
    schedule();
  });
  void setFilter(NO_FILTER);

  return {
    async reveal(index: number) {
      const position = source.positionOf ? await source.positionOf(index, filter) : index;
      viewport.scrollTop = scrollTopFor(position, viewport.clientHeight, rowPx, total);
      schedule();
    },
    setFilter,
    dispose() {
      resize.disconnect();
      cancelAnimationFrame(frame);
      generation++;
      clear(container);
    },
  };
}
