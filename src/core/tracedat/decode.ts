// One event of a trace.dat ring buffer to a TraceEvent: its type from the id, pid and comm from the common fields,
// and the payload printed as trace-cmd report prints it.
import type { EventName, EventPacker } from '../eventColumns';
import type { DecodedFields } from '../eventFields';
import { RefilledEvent, type RecordSink, type TraceEvent } from '../records';
import type { TraceDatHeader } from './header';
import { CommTable, EventTypes, type EventType } from './events';
import type { EventData, PrintEnv } from './printfmt';
import type { EventCursor, Source } from './sources';
import { Kallsyms, PrintkFormats } from './symbols';

/** How events print: byte order, long size, and kallsyms / printk formats for %pS and trace_printk. */
export function printEnvOf(h: TraceDatHeader): PrintEnv {
  const kallsyms = new Kallsyms(h.kallsyms);
  const printk = new PrintkFormats(h.printk);
  return {
    le: !h.bigEndian,
    bigEndian: h.bigEndian,
    longSize: h.longSize,
    findFunction: (a) => kallsyms.find(a),
    findPrintk: (a) => printk.find(a),
  };
}

/** Where `pack` puts events (TraceDatOptions.columns). */
export interface ColumnsOut {
  packer: EventPacker;
  /** Runs after each event packed, with the event as an object valid until the next one, and its type. */
  onPacked?: (ev: TraceEvent, type: EventName) => void;
  /** Events so named travel without their payload when they have no decoded fields: the consumer never reads it. */
  payloadUnread?: (name: string) => boolean;
}

export class EventDecoder {
  readonly env: PrintEnv;
  readonly comms: CommTable;
  readonly types: EventTypes;
  private readonly unknownIds = new Set<number>();
  // common fields: every format shares them; their offsets come from the first event type met
  private pidOffset = 4;
  private typeSize = 2;
  private commonKnown = false;
  private readonly unreadPayloads = new Map<EventType, boolean>();
  /** The event last packed, for `pack`'s onPacked: one object, refilled per event. */
  private readonly packedView = new PackedEventView();
  /** The current event's pid and comm (set by `begin`). */
  private pid = -1;
  private comm = '';
  /** Reused for every event: the renderers read through it. */
  private readonly data: EventData = {
    bytes: new Uint8Array(0),
    view: new DataView(new ArrayBuffer(0)),
    base: 0,
    size: 0,
  };

  constructor(
    private readonly h: TraceDatHeader,
    private readonly sink: RecordSink,
    fastFields = true,
  ) {
    this.env = printEnvOf(h);
    this.comms = new CommTable(h.cmdlines);
    this.types = new EventTypes(
      h.formats,
      this.env,
      this.comms,
      (t) =>
        sink.warn(
          null,
          `event ${t.system}:${t.name}: print fmt not evaluated (${t.fallbackReason}); payload shows field=value pairs`,
        ),
      fastFields,
    );
  }

  /** The source's current event, or null (after a warning, once per id) when its id has no format. */
  decode(src: Source<EventCursor>): TraceEvent | null {
    const type = this.begin(src);
    if (type === null) return null;
    const s = src.stream;
    const fields = type.decodeFields?.(this.data);
    if (fields !== undefined || type.printsWhenRead) {
      const ev = new PrintWhenReadEvent(
        src.tsNs,
        s.cpu,
        this.pid,
        this.comm,
        type,
        fields,
        s.bytes,
        s.view,
        s.evStart,
        s.evLen,
      );
      if (src.instance !== undefined) ev.instance = src.instance;
      return ev;
    }
    const ev: TraceEvent = {
      type: 'event',
      line: null,
      timeNs: src.tsNs,
      cpu: s.cpu,
      pid: this.pid,
      comm: this.comm,
      name: type.name,
      system: type.system,
      payload: this.printed(type),
    };
    if (src.instance !== undefined) ev.instance = src.instance;
    return ev;
  }

  /**
   * The source's current event packed into columns without an event object (readerWorker.ts): its decoded fields,
   * or its payload printed when it has none and the consumer may read it. False as `decode` gives null.
   */
  pack(src: Source<EventCursor>, columns: ColumnsOut): boolean {
    const type = this.begin(src);
    if (type === null) return false;
    const { packer, onPacked } = columns;
    const s = src.stream;
    const fields = type.decodeFields?.(this.data);
    let printed: string | null = null;
    if (fields === undefined || !packer.addDecoded(src.tsNs, s.cpu, this.pid, this.comm, type, src.instance, fields)) {
      printed = fields === undefined && this.payloadUnread(type, columns) ? null : this.printed(type);
      packer.addPrinted(src.tsNs, s.cpu, this.pid, this.comm, type, src.instance, printed, fields);
    }
    if (onPacked) onPacked(this.packedView.show(src, this.pid, this.comm, type, fields, printed), type);
    return true;
  }

  /** Whether the consumer never reads the payload of events of `type` (asked once per type). */
  private payloadUnread(type: EventType, columns: ColumnsOut): boolean {
    let unread = this.unreadPayloads.get(type);
    if (unread === undefined) this.unreadPayloads.set(type, (unread = columns.payloadUnread?.(type.name) ?? false));
    return unread;
  }

  /** The current event's payload as trace-cmd report prints it. */
  private printed(type: EventType): string {
    return payloadText(type.render(this.data));
  }

  /**
   * Points the renderers at the source's current event and looks up its pid and comm; its type, or null (after a
   * warning, once per id) when its id has no format.
   */
  private begin(src: Source<EventCursor>): EventType | null {
    const s = src.stream;
    const le = this.env.le;
    if (s.evLen < this.typeSize) return null;
    const id = this.typeSize === 2 ? s.view.getUint16(s.evStart, le) : s.view.getUint32(s.evStart, le);
    const type = this.types.get(id);
    if (!type) {
      this.warnUnknown(id, src);
      return null;
    }
    if (!this.commonKnown) this.learnCommonFields(id);
    const data = this.data;
    data.bytes = s.bytes;
    data.view = s.view;
    data.base = s.evStart;
    data.size = s.evLen;
    this.pid = s.evLen >= this.pidOffset + 4 ? s.view.getInt32(s.evStart + this.pidOffset, le) : -1;
    this.comm = this.comms.lookup(this.pid); // before rendering: the sched plugin registers comms as it prints
    return type;
  }

  private learnCommonFields(id: number): void {
    this.commonKnown = true;
    const format = this.h.formats.get(id);
    const pidM = format && /field:int common_pid;\s*offset:(\d+);/.exec(format.text);
    if (pidM) this.pidOffset = Number(pidM[1]);
    const typeM = format && /field:unsigned \w+ common_type;\s*offset:0;\s*size:(\d+);/.exec(format.text);
    if (typeM) this.typeSize = Number(typeM[1]);
  }

  private warnUnknown(id: number, src: Source<EventCursor>): void {
    if (this.unknownIds.has(id)) return;
    this.unknownIds.add(id);
    const where = src.instance === undefined ? '' : `instance "${src.instance}" `;
    this.sink.warn(
      null,
      `${where}CPU ${src.stream.cpu}: event id ${id} has no format description in the file; such events are skipped`,
    );
  }
}

/** trace-cmd report starts the payload after "name:" and its padding; leading blanks of the text are not kept. */
function payloadText(text: string): string {
  const first = text.charCodeAt(0);
  return first === 32 || first === 9 ? text.trimStart() : text;
}

/**
 * The event just packed, as one object refilled per event: for model work beside the packing, in the same thread,
 * that keeps nothing of the event itself (readerWorker.ts). Its payload is there when it was printed.
 */
class PackedEventView extends RefilledEvent {
  instance: string | undefined = undefined;

  show(
    src: Source<EventCursor>,
    pid: number,
    comm: string,
    type: EventType,
    fields: DecodedFields | undefined,
    printed: string | null,
  ): this {
    this.timeNs = src.tsNs;
    this.cpu = src.stream.cpu;
    this.pid = pid;
    this.comm = comm;
    this.name = type.name;
    this.system = type.system;
    this.instance = src.instance;
    this.fields = fields;
    this.printed = printed;
    return this;
  }

  protected payloadMissing(): string {
    return `the payload of a ${this.name} event packed with its fields was not printed`;
  }
}

/**
 * An event printed only if something reads its payload (the event list, a test, the model for the few payloads it
 * parses), from the batch the event points into (batches are never reused, only dropped). `fields`: what the model
 * reads, decoded from the bytes (undefined: none, the accessors parse the payload).
 */
class PrintWhenReadEvent implements TraceEvent {
  readonly type = 'event' as const;
  readonly line = null;
  readonly name: string;
  readonly system: string;
  /** Absent (not undefined) for the top instance, as on plain events. */
  declare instance?: string;
  // private (#): not own properties, so two events compare equal by what they say, not by the batch they came from
  readonly #eventType: EventType;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #base: number;
  readonly #size: number;
  #text: string | null = null;

  constructor(
    readonly timeNs: number,
    readonly cpu: number,
    readonly pid: number,
    readonly comm: string,
    eventType: EventType,
    readonly fields: DecodedFields | undefined,
    bytes: Uint8Array,
    view: DataView,
    base: number,
    size: number,
  ) {
    this.name = eventType.name;
    this.system = eventType.system;
    this.#eventType = eventType;
    this.#bytes = bytes;
    this.#view = view;
    this.#base = base;
    this.#size = size;
  }

  get payload(): string {
    if (this.#text === null) {
      const data = { bytes: this.#bytes, view: this.#view, base: this.#base, size: this.#size };
      this.#text = payloadText(this.#eventType.render(data));
    }
    return this.#text;
  }
}
