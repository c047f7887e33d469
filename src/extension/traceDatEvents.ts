// The extension host's side of the trace.dat event list: one events worker for all open trace.dat editors (started
// on first use); each editor opens its file there and forwards the webview's requests to it.
import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import {
  isFromEventsWorker,
  type EventListReply,
  type EventListRequest,
  type EventListStatus,
  type FromEventsWorker,
  type ToEventsWorker,
} from '../shared/eventListMessages';
import { Channel } from '../shared/rpc';

export interface TraceDatEvents extends vscode.Disposable {
  request(r: EventListRequest): Promise<EventListReply>;
}

export class EventsWorker implements vscode.Disposable {
  private worker: Worker | null = null;
  private channel: Channel<ToEventsWorker, FromEventsWorker> | null = null;
  private nextFile = 1;
  private readonly listeners = new Map<number, (s: EventListStatus) => void>();

  constructor(private readonly scriptPath: string) {}

  private ensure(): Channel<ToEventsWorker, FromEventsWorker> {
    if (this.channel) return this.channel;
    const w = new Worker(this.scriptPath);
    const channel = new Channel<ToEventsWorker, FromEventsWorker>({
      post: (envelope) => w.postMessage(envelope),
      accept: isFromEventsWorker,
      onMessage: (m) => {
        if (m.type === 'status') this.listeners.get(m.file)?.(m.status);
      },
    });
    w.on('message', (m: unknown) => channel.receive(m));
    const stopped = (why: string) => {
      if (this.worker !== w) return;
      this.worker = null;
      this.channel = null;
      channel.failPending(new Error(why));
      for (const l of this.listeners.values())
        l({ type: 'events.status', state: 'failed', done: 0, total: 0, message: why });
      this.listeners.clear();
    };
    w.on('error', (e) => stopped(`events worker failed: ${e.message}`));
    w.on('exit', (code) => stopped(`events worker stopped (exit code ${code})`));
    this.worker = w;
    this.channel = channel;
    return channel;
  }

  /** Opens a trace.dat for the event list; `onStatus` hears how reading (and filtering) goes. */
  open(path: string, onStatus: (s: EventListStatus) => void): TraceDatEvents {
    const file = this.nextFile++;
    const channel = this.ensure();
    this.listeners.set(file, onStatus);
    channel.send({ type: 'open', file, path });
    return {
      request: (request) =>
        channel
          .request<EventListReply>({ type: 'request', file, request })
          .catch((e: Error) => ({ type: 'events.failed', message: e.message }) as const),
      dispose: () => {
        this.listeners.delete(file);
        if (this.channel === channel) channel.send({ type: 'close', file });
      },
    };
  }

  dispose(): void {
    const w = this.worker;
    this.worker = null;
    this.channel?.failPending(new Error('extension stopped'));
    this.channel = null;
    void w?.terminate();
  }
}
