// Writes Chrome/Perfetto JSON trace events ({"traceEvents":[...]}) as they come, in batches, to a sink: memory stays
// bounded by one batch whatever the trace's size. Timestamps and durations are µs (the format's unit) with ns kept
// as three decimals.

/** Where the JSON text goes: e.g. a synchronous file write, so a slow disk holds the reader back (no queue). */
export type TextSink = (text: string) => void;

const BATCH_CHARS = 256 * 1024;

export interface WrittenCounts {
  metadata: number;
  slices: number;
  flows: number;
  instants: number;
}

/** ns → the µs text the format expects ("10729494000.123"). */
export function usText(ns: number): string {
  return (ns / 1000).toFixed(3);
}

export class TraceEventWriter {
  private batch = '';
  private first = true;
  readonly counts: WrittenCounts = { metadata: 0, slices: 0, flows: 0, instants: 0 };

  constructor(private readonly sink: TextSink) {
    this.batch = '{"traceEvents":[\n';
  }

  /** Names a process (a group of tracks) and a thread (one track) — "M" events. */
  processName(pid: number, name: string, sortIndex: number): void {
    this.meta(pid, 0, 'process_name', { name });
    this.meta(pid, 0, 'process_sort_index', { sort_index: sortIndex });
  }

  threadName(pid: number, tid: number, name: string): void {
    this.meta(pid, tid, 'thread_name', { name });
    this.meta(pid, tid, 'thread_sort_index', { sort_index: tid });
  }

  /** A complete slice ("X"): `durNs` ≥ 0. */
  slice(
    pid: number,
    tid: number,
    name: string,
    cat: string,
    startNs: number,
    durNs: number,
    args?: object,
    cname?: string,
  ): void {
    const c = cname ? `,"cname":${JSON.stringify(cname)}` : '';
    const a = args ? `,"args":${JSON.stringify(args)}` : '';
    this.push(
      `{"ph":"X","pid":${pid},"tid":${tid},"ts":${usText(startNs)},"dur":${usText(Math.max(0, durNs))},` +
        `"name":${JSON.stringify(name)},"cat":${JSON.stringify(cat)}${c}${a}}`,
    );
    this.counts.slices++;
  }

  /** A thread-scoped instant ("i"). */
  instant(pid: number, tid: number, name: string, cat: string, atNs: number, args?: object): void {
    const a = args ? `,"args":${JSON.stringify(args)}` : '';
    this.push(
      `{"ph":"i","s":"t","pid":${pid},"tid":${tid},"ts":${usText(atNs)},` +
        `"name":${JSON.stringify(name)},"cat":${JSON.stringify(cat)}${a}}`,
    );
    this.counts.instants++;
  }

  /**
   * A flow arrow: "s" at the sender (bound to the slice enclosing `fromNs` on its track), "f" with bp "e" at the
   * receiver (bound to the slice enclosing `toNs` there). Both halves are written together, so none is left open.
   */
  flow(
    id: number,
    name: string,
    cat: string,
    from: { pid: number; tid: number; ns: number },
    to: { pid: number; tid: number; ns: number },
  ): void {
    const n = JSON.stringify(name);
    const c = JSON.stringify(cat);
    this.push(
      `{"ph":"s","id":${id},"pid":${from.pid},"tid":${from.tid},"ts":${usText(from.ns)},"name":${n},"cat":${c}}`,
    );
    this.push(
      `{"ph":"f","bp":"e","id":${id},"pid":${to.pid},"tid":${to.tid},"ts":${usText(to.ns)},"name":${n},"cat":${c}}`,
    );
    this.counts.flows++;
  }

  /** Closes the JSON document and hands the rest to the sink. */
  end(): void {
    this.batch += '\n]}\n';
    this.sink(this.batch);
    this.batch = '';
  }

  private meta(pid: number, tid: number, name: string, args: object): void {
    this.push(`{"ph":"M","pid":${pid},"tid":${tid},"ts":0,"name":"${name}","args":${JSON.stringify(args)}}`);
    this.counts.metadata++;
  }

  private push(json: string): void {
    this.batch += this.first ? json : `,\n${json}`;
    this.first = false;
    if (this.batch.length >= BATCH_CHARS) {
      this.sink(this.batch);
      this.batch = '';
    }
  }
}
