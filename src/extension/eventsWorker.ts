// The events worker (dist/eventsWorker.js): holds each open trace.dat editor's event pages (checkpoints, filter
// indexes) off the extension host's thread and answers the event list's requests for counts, rows and positions.
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { filterKey, isNoFilter, TraceDatEventPages } from '../core/index';
import {
  isToEventsWorker,
  type EventListReply,
  type EventListRequest,
  type EventListStatus,
  type FromEventsWorker,
  type ToEventsWorker,
} from '../shared/eventListMessages';
import { Channel } from '../shared/rpc';

interface OpenFile {
  handle: Promise<FileHandle>;
  pages: Promise<TraceDatEventPages>;
  abort: AbortController;
  /** The filter index being built: a newer filter (the user typing on) stops it. */
  scan: { key: string; abort: AbortController } | null;
}

const files = new Map<number, OpenFile>();

const host = new Channel<FromEventsWorker, ToEventsWorker>({
  post: (envelope) => parentPort!.postMessage(envelope),
  accept: isToEventsWorker,
  onMessage: handle,
});

function status(file: number, s: Omit<EventListStatus, 'type'>): void {
  host.send({ type: 'status', file, status: { type: 'events.status', ...s } });
}

function open(file: number, path: string): void {
  const abort = new AbortController();
  const handle = fsp.open(path, 'r');
  const pages = handle.then(async (fh) => {
    const { size } = await fh.stat();
    return TraceDatEventPages.open(fh, size, {
      signal: abort.signal,
      onProgress: (done) => status(file, { state: 'reading', done, total: 0 }),
    });
  });
  files.set(file, { handle, pages, abort, scan: null });
  pages.then(
    (p) => status(file, { state: 'ready', done: p.total, total: p.total }),
    (e: Error) => status(file, { state: 'failed', done: 0, total: 0, message: e.message }),
  );
}

function close(file: number): void {
  const f = files.get(file);
  if (!f) return;
  files.delete(file);
  f.abort.abort();
  void f.pages.catch(() => undefined).finally(() => f.handle.then((fh) => fh.close()).catch(() => undefined));
}

/** The signal of a filter's scan; a scan for another filter still running is stopped. */
function scanSignal(f: OpenFile, r: EventListRequest & { type: 'events.count' }): AbortSignal | undefined {
  if (isNoFilter(r.filter)) return undefined;
  const key = filterKey(r.filter);
  if (f.scan?.key !== key) {
    f.scan?.abort.abort();
    f.scan = { key, abort: new AbortController() };
  }
  return f.scan.abort.signal;
}

async function answer(
  file: number,
  f: OpenFile,
  pages: TraceDatEventPages,
  r: EventListRequest,
): Promise<EventListReply> {
  switch (r.type) {
    case 'events.facets':
      return { type: 'events.facets', names: pages.names, cpus: pages.cpus, instances: pages.instances };
    case 'events.count': {
      const progress = (done: number, total: number) => status(file, { state: 'filtering', done, total });
      const count = await pages.count(r.filter, isNoFilter(r.filter) ? undefined : progress, scanSignal(f, r));
      status(file, { state: 'ready', done: pages.total, total: pages.total });
      return { type: 'events.count', count };
    }
    case 'events.rows':
      return { type: 'events.rows', rows: await pages.filteredRows(r.filter, r.first, r.last) };
    case 'events.position':
      return { type: 'events.position', position: await pages.positionOf(r.index, r.filter) };
  }
}

async function handle(m: ToEventsWorker): Promise<FromEventsWorker | undefined> {
  if (m.type === 'open') open(m.file, m.path);
  else if (m.type === 'close') close(m.file);
  else {
    const f = files.get(m.file);
    if (!f) return { type: 'events.failed', message: 'the file is not open' };
    try {
      return await answer(m.file, f, await f.pages, m.request);
    } catch (e) {
      return { type: 'events.failed', message: (e as Error).message };
    }
  }
  return undefined;
}

parentPort!.on('message', (raw: unknown) => host.receive(raw));
