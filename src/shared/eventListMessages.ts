// The trace.dat editor's event list on the wire: the webview asks the extension host for counts, pages of rows,
// facets and positions (Channel requests); the host forwards them to the events worker (dist/eventsWorker.js) that
// holds the file's checkpoints and filter indexes. Every body is checked on receipt: the webview is untrusted.
import type { EventFilter, EventRow } from '../core/tracedat/eventRows';
import { isArrayOf, isObject, isString } from './guards';

/** Most rows one request may ask for (the list asks for pages of 256). */
export const MAX_ROWS_PER_REQUEST = 1024;
const MAX_FILTER_NAMES = 2000;
const MAX_FILTER_TEXT = 500;

export type EventListRequest =
  | { type: 'events.count'; filter: EventFilter }
  | { type: 'events.rows'; first: number; last: number; filter: EventFilter }
  | { type: 'events.facets' }
  | { type: 'events.position'; index: number; filter: EventFilter };

export type EventListReply =
  | { type: 'events.count'; count: number }
  | { type: 'events.rows'; rows: EventRow[] }
  | { type: 'events.facets'; names: string[]; cpus: number[]; instances: string[] }
  | { type: 'events.position'; position: number }
  | { type: 'events.failed'; message: string };

/** Host → webview, unasked: how reading the events (or building a filter's index) goes. */
export interface EventListStatus {
  type: 'events.status';
  state: 'reading' | 'filtering' | 'ready' | 'failed';
  done: number;
  total: number;
  message?: string;
}

/** Host → events worker. */
export type ToEventsWorker =
  | { type: 'open'; file: number; path: string }
  | { type: 'close'; file: number }
  | { type: 'request'; file: number; request: EventListRequest };

/** Events worker → host: replies to 'request', and unasked status of a file. */
export type FromEventsWorker = EventListReply | { type: 'status'; file: number; status: EventListStatus };

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

export function isEventFilter(v: unknown): v is EventFilter {
  return (
    isObject(v) &&
    isArrayOf(v.names, isString, MAX_FILTER_NAMES) &&
    isArrayOf(v.cpus, isCount, MAX_FILTER_NAMES) &&
    isString(v.text) &&
    v.text.length <= MAX_FILTER_TEXT
  );
}

export function isEventListRequest(m: unknown): m is EventListRequest {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'events.count':
      return isEventFilter(m.filter);
    case 'events.rows':
      return (
        isCount(m.first) &&
        isCount(m.last) &&
        (m.last as number) - (m.first as number) <= MAX_ROWS_PER_REQUEST &&
        isEventFilter(m.filter)
      );
    case 'events.facets':
      return true;
    case 'events.position':
      return isCount(m.index) && isEventFilter(m.filter);
    default:
      return false;
  }
}

function isEventRow(v: unknown): v is EventRow {
  return (
    isObject(v) &&
    isCount(v.index) &&
    Number.isFinite(v.timeNs) &&
    Number.isInteger(v.cpu) &&
    Number.isInteger(v.pid) &&
    isString(v.comm) &&
    isString(v.name) &&
    isString(v.payload) &&
    (v.instance === undefined || isString(v.instance))
  );
}

export function isEventListStatus(m: unknown): m is EventListStatus {
  return (
    isObject(m) &&
    m.type === 'events.status' &&
    ['reading', 'filtering', 'ready', 'failed'].includes(m.state as string) &&
    isCount(m.done) &&
    isCount(m.total) &&
    (m.message === undefined || isString(m.message))
  );
}

export function isEventListReply(m: unknown): m is EventListReply {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'events.count':
      return isCount(m.count);
    case 'events.rows':
      return isArrayOf(m.rows, isEventRow, MAX_ROWS_PER_REQUEST);
    case 'events.facets':
      return isArrayOf(m.names, isString) && isArrayOf(m.cpus, isCount) && isArrayOf(m.instances, isString);
    case 'events.position':
      return isCount(m.position);
    case 'events.failed':
      return isString(m.message);
    default:
      return false;
  }
}

export function isToEventsWorker(m: unknown): m is ToEventsWorker {
  if (!isObject(m) || !Number.isInteger(m.file)) return false;
  if (m.type === 'open') return isString(m.path);
  if (m.type === 'close') return true;
  return m.type === 'request' && isEventListRequest(m.request);
}

export function isFromEventsWorker(m: unknown): m is FromEventsWorker {
  if (isObject(m) && m.type === 'status') return Number.isInteger(m.file) && isEventListStatus(m.status);
  return isEventListReply(m);
}
