// The strings of events (comms, names, systems, field strings) as ids, for readers in worker threads: each string
// is sent to the receiving thread once, with the batch that first uses it, and every later use is an index.
const RECENT = 4;
/** Strings cached per column by the hash of their bytes (a power of two). */
const BYTE_CACHE = 256;

/** Whether the string `s` is the ASCII bytes [start, end) of `b`. */
function sameBytes(s: string, b: Uint8Array, start: number, end: number): boolean {
  if (s.length !== end - start) return false;
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) !== b[start + k]) return false;
  return true;
}

/** Bytes [start, end) of `b` as text, each byte one character (latin1, of which ASCII is a part). */
export function latin1Of(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
}

/**
 * Strings decoded from bytes, each kept in a slot chosen by a hash of its bytes (direct-mapped): the same bytes again
 * give the kept string, without decoding or a map's hashing of a new string. Comms, names, payloads and values repeat.
 */
export class BytesStrings {
  private readonly strings: (string | undefined)[];
  private readonly mask: number;

  /** `slots`: a power of two. */
  constructor(slots: number) {
    this.strings = new Array<string | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
  }

  /** The slot of bytes [start, end) of `b`. */
  slotOf(b: Uint8Array, start: number, end: number): number {
    let h = end - start;
    for (let k = start; k < end; k++) h = (Math.imul(h, 31) + b[k]) | 0;
    return (h ^ (h >>> 10)) & this.mask;
  }

  /** The string kept in `slot` when it is those bytes, else undefined. */
  kept(slot: number, b: Uint8Array, start: number, end: number): string | undefined {
    const s = this.strings[slot];
    return s !== undefined && sameBytes(s, b, start, end) ? s : undefined;
  }

  keep(slot: number, s: string): string {
    return (this.strings[slot] = s);
  }

  /** Bytes [start, end) of `b` as text (latin1Of), the kept string when there is one. */
  text(b: Uint8Array, start: number, end: number): string {
    const slot = this.slotOf(b, start, end);
    return this.kept(slot, b, start, end) ?? this.keep(slot, latin1Of(b, start, end));
  }
}

/** The strings of events (comm, name, system, field strings), each sent to the main thread once. */
export class StringTable {
  private readonly ids = new Map<string, number>();
  private readonly byId: string[] = [];
  private fresh: string[] = [];

  /**
   * Per column (comm, name, ...), the last few strings asked for and their ids: a column's values repeat, and
   * comparing is cheaper than hashing.
   */
  private readonly recent: string[] = new Array<string>(8 * RECENT).fill('');
  private readonly recentIds: number[] = new Array<number>(8 * RECENT).fill(-1);
  private readonly nextSlot: number[] = new Array<number>(8).fill(0);

  /** The id of `s`, a value of column `col` (0 to 7). */
  id(s: string, col = 0): number {
    const recent = this.recent;
    const base = col * RECENT;
    for (let i = base; i < base + RECENT; i++) if (recent[i] === s && this.recentIds[i] >= 0) return this.recentIds[i];
    const id = this.lookup(s);
    const slot = base + this.nextSlot[col];
    this.nextSlot[col] = (this.nextSlot[col] + 1) % RECENT;
    recent[slot] = s;
    this.recentIds[slot] = id;
    return id;
  }

  /**
   * The id of the ASCII string in bytes [start, end) of `b` (`text` views the same bytes), a value of column `col`.
   * A cache by hash of the bytes finds it without making the string.
   */
  idOfBytes(b: Uint8Array, text: Buffer, start: number, end: number, col: number): number {
    const strings = this.byteStrings[col];
    const slot = strings.slotOf(b, start, end);
    const at = col * BYTE_CACHE + slot;
    if (strings.kept(slot, b, start, end) !== undefined) return this.byteStringIds[at];
    const id = this.lookup(strings.keep(slot, text.toString('latin1', start, end)));
    this.byteStringIds[at] = id;
    return id;
  }

  /** Per column, the strings decoded from bytes and (beside them, by slot) their ids. */
  private readonly byteStrings = Array.from({ length: 8 }, () => new BytesStrings(BYTE_CACHE));
  private readonly byteStringIds = new Int32Array(8 * BYTE_CACHE);

  private lookup(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(s, id);
      this.byId.push(s);
      this.fresh.push(s);
    }
    return id;
  }

  /** How many strings the table holds. */
  get size(): number {
    return this.byId.length;
  }

  /** The id of `s` when the table holds it (nothing is added). */
  known(s: string): number | undefined {
    return this.ids.get(s);
  }

  /** The string of `id`. */
  text(id: number): string {
    return this.byId[id];
  }

  /** The strings added since the last call. */
  takeNew(): string[] {
    const out = this.fresh;
    this.fresh = [];
    return out;
  }
}
