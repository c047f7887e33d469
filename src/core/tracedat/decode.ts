// One event of a trace.dat ring buffer to a TraceEvent: its type from the id, pid and comm from the common fields,
// and the payload printed as trace-cmd report prints it.
import type { RecordSink, TraceEvent } from '../records';
import type { TraceDatHeader } from './header';
import { CommTable, EventTypes } from './events';
import type { EventData, PrintEnv } from './printfmt';
import type { Source } from './sources';
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

export class EventDecoder {
  readonly env: PrintEnv;
  readonly comms: CommTable;
  readonly types: EventTypes;
  private readonly unknownIds = new Set<number>();
  // common fields: every format shares them; their offsets come from the first event type met
  private pidOffset = 4;
  private typeSize = 2;
  private commonKnown = false;
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
  ) {
    this.env = printEnvOf(h);
    this.comms = new CommTable(h.cmdlines);
    this.types = new EventTypes(h.formats, this.env, this.comms, (t) =>
      sink.warn(
        null,
        `event ${t.system}:${t.name}: print fmt not evaluated (${t.fallbackReason}); payload shows field=value pairs`,
      ),
    );
  }

  /** The source's current event, or null (after a warning, once per id) when its id has no format. */
  decode(src: Source): TraceEvent | null {
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
    const pid = s.evLen >= this.pidOffset + 4 ? s.view.getInt32(s.evStart + this.pidOffset, le) : -1;
    let payload = type.render(data);
    const first = payload.charCodeAt(0);
    if (first === 32 || first === 9) payload = payload.trimStart();
    const ev: TraceEvent = {
      type: 'event',
      line: null,
      timeNs: src.tsNs,
      cpu: s.cpu,
      pid,
      comm: this.comms.lookup(pid),
      name: type.name,
      system: type.system,
      payload,
    };
    if (src.instance !== undefined) ev.instance = src.instance;
    return ev;
  }

  private learnCommonFields(id: number): void {
    this.commonKnown = true;
    const format = this.h.formats.get(id);
    const pidM = format && /field:int common_pid;\s*offset:(\d+);/.exec(format.text);
    if (pidM) this.pidOffset = Number(pidM[1]);
    const typeM = format && /field:unsigned \w+ common_type;\s*offset:0;\s*size:(\d+);/.exec(format.text);
    if (typeM) this.typeSize = Number(typeM[1]);
  }

  private warnUnknown(id: number, src: Source): void {
    if (this.unknownIds.has(id)) return;
    this.unknownIds.add(id);
    const where = src.instance === undefined ? '' : `instance "${src.instance}" `;
    this.sink.warn(
      null,
      `${where}CPU ${src.stream.cpu}: event id ${id} has no format description in the file; such events are skipped`,
    );
  }
}
