// One typed request/reply helper over postMessage, used by both channels: extension host ↔ webview and extension host
// ↔ analysis worker (the shape of microsoft/vscode-hexeditor's MessageHandler). Every message travels in an envelope
// with an id; a reply names the request it answers. Incoming bodies are checked by the channel's guard before any
// handler sees them: the webview is untrusted, and a stale or crashed worker must not break the host.
import { isObject } from './guards';

export interface Envelope<T = unknown> {
  id: number;
  /** Set on a reply: the id of the request it answers. */
  inReplyTo?: number;
  body: T;
}

export class RequestTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no reply within ${ms} ms`);
  }
}

export interface ChannelOptions<TOut, TIn> {
  /** Sends one envelope to the other side. */
  post(envelope: Envelope<TOut>): void;
  /** Which incoming bodies are well formed; anything else is dropped (or rejects the request it answers). */
  accept(body: unknown): body is TIn;
  /** Handles a request or event; a returned body is sent back as the reply. */
  onMessage?(body: TIn): TOut | undefined | void | Promise<TOut | undefined | void>;
}

interface Pending {
  resolve(body: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout> | null;
}

export class Channel<TOut, TIn> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly options: ChannelOptions<TOut, TIn>) {}

  /** Sends a message that expects no reply. */
  send(body: TOut): void {
    this.options.post({ id: this.nextId++, body });
  }

  /** Sends a request and resolves with the reply; rejects with RequestTimeout when none comes in time. */
  request<R extends TIn = TIn>(body: TOut, timeoutMs?: number): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? null
          : setTimeout(() => {
              this.pending.delete(id);
              reject(new RequestTimeout(timeoutMs));
            }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (b: unknown) => void, reject, timer });
      this.options.post({ id, body });
    });
  }

  /** Feeds one raw incoming message: a reply settles its request, anything else goes to onMessage. */
  receive(raw: unknown): void {
    if (!isEnvelope(raw)) return;
    if (raw.inReplyTo !== undefined) {
      const p = this.pending.get(raw.inReplyTo);
      if (!p) return;
      this.pending.delete(raw.inReplyTo);
      if (p.timer) clearTimeout(p.timer);
      if (this.options.accept(raw.body)) p.resolve(raw.body);
      else p.reject(new Error('malformed reply'));
      return;
    }
    if (!this.options.accept(raw.body)) return;
    const body = raw.body;
    // A handler's failure is its own to report; the channel only carries replies.
    void Promise.resolve()
      .then(() => this.options.onMessage?.(body))
      .then(
        (reply) => {
          if (reply !== undefined) this.options.post({ id: this.nextId++, inReplyTo: raw.id, body: reply as TOut });
        },
        () => {},
      );
  }

  /** Rejects every request still waiting (the other side stopped). */
  failPending(e: Error): void {
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }
}

function isEnvelope(v: unknown): v is Envelope {
  return (
    isObject(v) && Number.isInteger(v.id) && 'body' in v && (v.inReplyTo === undefined || Number.isInteger(v.inReplyTo))
  );
}
