// The trace.dat editor's two tabs: the analysis and the events (the virtual event list, served page by page by the
// extension host). The Events tab appears once the host says the file's events are being read; a click on an exit
// reason in the analysis switches to it, filtered to that reason's events.
import { exitEventFilter } from '../src/core/tracedat/eventRows';
import type { EventListReply, EventListRequest, EventListStatus } from '../src/shared/eventListMessages';
import type { HostMessage, WebviewMessage } from '../src/shared/messages';
import type { Channel } from '../src/shared/rpc';
import { createEventList, type EventListHandle, type EventSource } from './eventList';
import { el } from './dom';

export interface EventsTab {
  /** Whether this view has events (a trace.dat editor, once the host said so). */
  readonly available: boolean;
  status(s: EventListStatus): void;
  /** Shows the events of an exit reason of the analysis. */
  showExit(reason: string): void;
}

type Host = Channel<WebviewMessage, HostMessage>;

async function ask<T extends EventListReply['type']>(
  host: Host,
  request: EventListRequest,
  want: T,
): Promise<Extract<EventListReply, { type: T }>> {
  const reply = (await host.request(request)) as EventListReply;
  if (reply.type === want) return reply as Extract<EventListReply, { type: T }>;
  throw new Error(reply.type === 'events.failed' ? reply.message : `unexpected reply ${reply.type}`);
}

function sourceOver(host: Host): EventSource {
  return {
    count: async (filter) => (await ask(host, { type: 'events.count', filter }, 'events.count')).count,
    rows: async (first, last, filter) =>
      (await ask(host, { type: 'events.rows', first, last, filter }, 'events.rows')).rows,
    facets: async () => ask(host, { type: 'events.facets' }, 'events.facets'),
    positionOf: async (index, filter) =>
      (await ask(host, { type: 'events.position', index, filter }, 'events.position')).position,
  };
}

export function eventsTab(host: Host, analysisRoot: HTMLElement, onShown: () => void): EventsTab {
  let list: EventListHandle | null = null;
  let tabs: {
    bar: HTMLElement;
    events: HTMLElement;
    line: HTMLElement;
    select(which: 'analysis' | 'events'): void;
  } | null = null;

  function build() {
    const analysisTab = el(
      'button',
      { type: 'button', role: 'tab', class: 'tab', 'data-testid': 'tab-analysis' },
      'Analysis',
    );
    const eventsTabButton = el(
      'button',
      { type: 'button', role: 'tab', class: 'tab', 'data-testid': 'tab-events' },
      'Events',
    );
    const bar = el(
      'nav',
      { role: 'tablist', class: 'tabs', 'aria-label': 'Views of this trace' },
      analysisTab,
      eventsTabButton,
    );
    const line = el('p', { class: 'events-status', role: 'status' });
    const events = el('section', { class: 'events', 'aria-label': 'Trace events' }, line);
    analysisRoot.before(bar);
    analysisRoot.after(events);
    const select = (which: 'analysis' | 'events') => {
      analysisRoot.hidden = which !== 'analysis';
      events.hidden = which !== 'events';
      analysisTab.setAttribute('aria-selected', String(which === 'analysis'));
      eventsTabButton.setAttribute('aria-selected', String(which === 'events'));
    };
    // exit marks of the analysis's pictures carry data-reason: in this editor they open their events too
    analysisRoot.addEventListener('click', (e) => {
      const mark = e.target instanceof Element ? e.target.closest('[data-reason]') : null;
      const reason = mark?.getAttribute('data-reason');
      if (reason && !mark?.closest('button, a')) showExit(reason);
    });
    analysisTab.addEventListener('click', () => select('analysis'));
    eventsTabButton.addEventListener('click', () => select('events'));
    select('analysis');
    return { bar, events, line, select };
  }

  function ensureList(): EventListHandle | null {
    if (!list && tabs) {
      const box = el('div', { class: 'event-list-box' });
      tabs.events.append(box);
      list = createEventList(box, sourceOver(host), { precision: 'us' });
    }
    return list;
  }

  function showExit(reason: string): void {
    if (!tabs) return;
    tabs.select('events');
    void ensureList()?.setFilter(exitEventFilter(reason));
  }

  return {
    get available() {
      return tabs !== null;
    },
    status(s) {
      const first = tabs === null;
      tabs ??= build();
      if (first) onShown();
      const n = s.done.toLocaleString('en-US');
      if (s.state === 'reading') tabs.line.textContent = `Reading events… ${n}`;
      else if (s.state === 'filtering') {
        tabs.line.textContent = `Filtering… ${s.total > 0 ? Math.floor((s.done / s.total) * 100) : 0} %`;
      } else if (s.state === 'failed') tabs.line.textContent = `The events could not be read: ${s.message ?? ''}`;
      else {
        tabs.line.textContent = `${n} events, as trace-cmd report prints them`;
        ensureList();
      }
    },
    showExit,
  };
}
