// Evaluates an event's "print fmt" the way libtraceevent (event-parse.c) does, so the text matches
// `trace-cmd report`: values are unsigned 64-bit (fields are read without sign extension, casts only mask),
// a %d/%u/%x conversion then narrows to int / long / long long as printf would on a 64-bit host.
// The format is parsed once per event type into closures; nothing is re-parsed per event.
import type { EventFormat, FormatField } from './format';

/** Where one event's bytes are: `bytes[base .. base+size)` (event data, starting with common_type). */
export interface EventData {
  bytes: Uint8Array;
  view: DataView;
  base: number;
  size: number;
}

export interface PrintEnv {
  le: boolean;
  longSize: number;
  bigEndian: boolean;
  /** %pS / %ps: function name and start address containing `addr`, or null. */
  findFunction(addr: bigint): { name: string; addr: bigint } | null;
  /** A trace_printk format string registered at `addr`, or null. */
  findPrintk(addr: bigint): string | null;
}

export class UnsupportedFormat extends Error {}

const U64 = (1n << 64n) - 1n;

// ---------------------------------------------------------------- tokens

type Tok =
  | { t: 'num'; v: bigint; text: string }
  | { t: 'str'; v: string }
  | { t: 'id'; v: string }
  | { t: 'p'; v: string };

const PUNCT2 = ['->', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||'];

function unescapeC(s: string): string {
  return s.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c));
}

export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      let raw = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\' && j + 1 < src.length) {
          raw += src[j] + src[j + 1];
          j += 2;
        } else raw += src[j++];
      }
      if (j >= src.length) throw new UnsupportedFormat('unterminated string');
      out.push({ t: 'str', v: raw });
      i = j + 1;
      continue;
    }
    if (ch === "'") {
      const m = /^'(\\.|[^'])'/.exec(src.slice(i));
      if (!m) throw new UnsupportedFormat('bad character literal');
      const c = unescapeC(m[1]);
      out.push({ t: 'num', v: BigInt(c.charCodeAt(0)), text: String(c.charCodeAt(0)) });
      i += m[0].length;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const m = /^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*/.exec(src.slice(i))!;
      const body = m[1];
      let v: bigint;
      if (/^0[xX]/.test(body)) v = BigInt(body);
      else if (body.length > 1 && body[0] === '0') v = BigInt('0o' + body.slice(1));
      else v = BigInt(body);
      out.push({ t: 'num', v, text: body });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_]\w*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      out.push({ t: 'p', v: two });
      i += 2;
      continue;
    }
    out.push({ t: 'p', v: ch });
    i++;
  }
  return out;
}

// ---------------------------------------------------------------- AST

export type Node =
  | { k: 'num'; v: bigint; text: string }
  | { k: 'str'; v: string }
  | { k: 'sym'; name: string }
  | { k: 'field'; f: FormatField }
  | { k: 'op'; op: string; l: Node | null; r: Node }
  | { k: 'cond'; c: Node; t: Node; e: Node }
  | { k: 'cast'; type: string; item: Node }
  | { k: 'index'; base: Node; idx: Node }
  | { k: 'symbolic'; val: Node; entries: [bigint, string][] }
  | { k: 'flags'; val: Node; delim: string; entries: [bigint, string][] }
  | { k: 'dynstr'; f: FormatField }
  | { k: 'dynarray'; f: FormatField }
  | { k: 'dynlen'; f: FormatField }
  | { k: 'hex'; data: Node; len: Node; spaced: boolean }
  | { k: 'intarray'; data: Node; count: Node; elSize: Node }
  | { k: 'mask'; f: FormatField; cpumask: boolean }
  | { k: 'list'; items: Node[] };

const BIN_PREC: Record<string, number> = {
  '*': 10, '/': 10, '%': 10,
  '+': 9, '-': 9,
  '<<': 8, '>>': 8,
  '<': 7, '>': 7, '<=': 7, '>=': 7,
  '==': 6, '!=': 6,
  '&': 5, '^': 4, '|': 3, '&&': 2, '||': 1,
};

const TYPE_WORDS = new Set([
  'unsigned', 'signed', 'int', 'long', 'short', 'char', 'bool', 'void', 'const', 'volatile', 'struct', 'enum',
  'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'size_t', 'ssize_t', 'pid_t', 'gfp_t', 'uint', 'ulong',
  'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t', 'int8_t', 'int16_t', 'int32_t', 'int64_t', '__u8', '__u16',
  '__u32', '__u64', '__s8', '__s16', '__s32', '__s64', 'dma_addr_t', 'phys_addr_t', 'sector_t', 'loff_t',
]);

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly event: EventFormat,
  ) {}

  peek(o = 0): Tok | undefined {
    return this.toks[this.i + o];
  }
  isP(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t !== undefined && t.t === 'p' && t.v === v;
  }
  expectP(v: string): void {
    if (!this.isP(v)) throw new UnsupportedFormat(`expected '${v}'`);
    this.i++;
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }

  field(name: string): FormatField {
    const f = this.event.fields.find((x) => x.name === name) ?? this.event.commonFields.find((x) => x.name === name);
    if (!f) throw new UnsupportedFormat(`field ${name} not in the format`);
    return f;
  }

  /** The format: one or more adjacent string literals. */
  formatString(): string {
    let s = '';
    const t = this.peek();
    if (!t || t.t !== 'str') throw new UnsupportedFormat('print fmt does not start with a string');
    while (this.peek()?.t === 'str') s += (this.toks[this.i++] as { v: string }).v;
    return s;
  }

  args(): Node[] {
    const out: Node[] = [];
    while (!this.done()) {
      this.expectP(',');
      out.push(this.expr());
    }
    return out;
  }

  expr(): Node {
    const c = this.binary(1);
    if (this.isP('?')) {
      this.i++;
      const t = this.expr();
      this.expectP(':');
      const e = this.expr();
      return { k: 'cond', c, t, e };
    }
    return c;
  }

  binary(minPrec: number): Node {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (!t || t.t !== 'p') break;
      const prec = BIN_PREC[t.v];
      if (prec === undefined || prec < minPrec) break;
      this.i++;
      const right = this.binary(prec + 1);
      left = { k: 'op', op: t.v, l: left, r: right };
    }
    return left;
  }

  looksLikeCast(): boolean {
    // after '(' : type words / identifiers / '*' up to ')', and not "(REC)"
    let j = 0;
    let sawType = false;
    for (;;) {
      const t = this.peek(j);
      if (!t) return false;
      if (t.t === 'p' && t.v === ')') break;
      if (t.t === 'p' && t.v === '*') {
        j++;
        continue;
      }
      if (t.t !== 'id' || t.v === 'REC') return false;
      if (TYPE_WORDS.has(t.v) || /_t$/.test(t.v)) sawType = true;
      else if (j > 0 && (this.peek(j - 1) as Tok).t === 'id' && (this.peek(j - 1) as { v: string }).v === 'struct') sawType = true;
      else return false;
      j++;
    }
    if (!sawType) return false;
    const after = this.peek(j + 1);
    if (!after) return false;
    if (after.t === 'p' && !['(', '-', '!', '~', '*', '&'].includes(after.v)) return false;
    return true;
  }

  unary(): Node {
    const t = this.peek();
    if (!t) throw new UnsupportedFormat('unexpected end of print fmt');
    if (t.t === 'p') {
      if (t.v === '-' || t.v === '!' || t.v === '~' || t.v === '+') {
        this.i++;
        const r = this.unary();
        if (t.v === '+') return r;
        return { k: 'op', op: t.v, l: null, r };
      }
      if (t.v === '(') {
        this.i++;
        if (this.looksLikeCast()) {
          const words: string[] = [];
          while (!this.isP(')')) {
            const w = this.toks[this.i++];
            words.push((w as { v: string }).v);
          }
          this.i++;
          const type = words.join(' ').replace(/ \*/g, ' *').replace(/\* \*/g, '**');
          return { k: 'cast', type, item: this.unary() };
        }
        const e = this.expr();
        this.expectP(')');
        return this.postfix(e);
      }
      if (t.v === '{') {
        this.i++;
        const items: Node[] = [];
        while (!this.isP('}')) {
          items.push(this.expr());
          if (this.isP(',')) this.i++;
        }
        this.i++;
        return { k: 'list', items };
      }
      throw new UnsupportedFormat(`unexpected '${t.v}'`);
    }
    this.i++;
    if (t.t === 'num') return this.postfix({ k: 'num', v: t.v, text: t.text });
    if (t.t === 'str') {
      let s = unescapeC(t.v);
      while (this.peek()?.t === 'str') s += unescapeC((this.toks[this.i++] as { v: string }).v);
      return { k: 'str', v: s };
    }
    // identifier
    if (t.v === 'REC') {
      this.expectP('->');
      const name = this.toks[this.i++];
      if (!name || name.t !== 'id') throw new UnsupportedFormat('expected a field name after REC->');
      return this.postfix({ k: 'field', f: this.field(name.v) });
    }
    if (this.isP('(')) return this.postfix(this.call(t.v));
    return { k: 'sym', name: t.v };
  }

  postfix(n: Node): Node {
    for (;;) {
      if (this.isP('[')) {
        this.i++;
        const idx = this.expr();
        this.expectP(']');
        n = { k: 'index', base: n, idx };
        continue;
      }
      if (this.isP('->')) {
        // (REC)->field
        this.i++;
        const name = this.toks[this.i++];
        if (!name || name.t !== 'id') throw new UnsupportedFormat('expected a field name after ->');
        n = { k: 'field', f: this.field(name.v) };
        continue;
      }
      return n;
    }
  }

  private fieldArg(a: Node | undefined, fn: string): FormatField {
    // __get_str(name) names the field directly; some kernels write __get_str(REC->name)
    if (a && a.k === 'sym') return this.field(a.name);
    if (a && a.k === 'field') return a.f;
    throw new UnsupportedFormat(`${fn}: expected a field name`);
  }

  call(name: string): Node {
    this.expectP('(');
    const args: Node[] = [];
    while (!this.isP(')')) {
      args.push(this.expr());
      if (this.isP(',')) this.i++;
      else if (!this.isP(')')) throw new UnsupportedFormat(`expected ',' or ')' in ${name}()`);
    }
    this.i++;
    const entries = (list: Node[]): [bigint, string][] =>
      list.map((e) => {
        if (e.k !== 'list' || e.items.length !== 2 || e.items[1].k !== 'str') throw new UnsupportedFormat(`${name}: bad entry`);
        return [BigInt.asUintN(64, constEval(e.items[0])), (e.items[1] as { v: string }).v];
      });
    switch (name) {
      case '__print_symbolic':
        return { k: 'symbolic', val: args[0], entries: entries(args.slice(1)) };
      case '__print_flags': {
        const d = args[1];
        if (!d || d.k !== 'str') throw new UnsupportedFormat('__print_flags: delimiter');
        return { k: 'flags', val: args[0], delim: d.v, entries: entries(args.slice(2)) };
      }
      case '__get_str':
      case '__get_rel_str':
        return { k: 'dynstr', f: this.fieldArg(args[0], name) };
      case '__get_dynamic_array':
      case '__get_rel_dynamic_array':
        return { k: 'dynarray', f: this.fieldArg(args[0], name) };
      case '__get_dynamic_array_len':
      case '__get_rel_dynamic_array_len':
        return { k: 'dynlen', f: this.fieldArg(args[0], name) };
      case '__get_bitmask':
      case '__get_rel_bitmask':
        return { k: 'mask', f: this.fieldArg(args[0], name), cpumask: false };
      case '__get_cpumask':
      case '__get_rel_cpumask':
        return { k: 'mask', f: this.fieldArg(args[0], name), cpumask: true };
      case '__print_hex':
      case '__print_hex_str':
        if (args.length !== 2) throw new UnsupportedFormat(`${name}: two arguments expected`);
        return { k: 'hex', data: args[0], len: args[1], spaced: name === '__print_hex' };
      case '__print_array':
        if (args.length !== 3) throw new UnsupportedFormat(`${name}: three arguments expected`);
        return { k: 'intarray', data: args[0], count: args[1], elSize: args[2] };
      default:
        throw new UnsupportedFormat(`function ${name}() is not supported`);
    }
  }
}

function constEval(n: Node): bigint {
  switch (n.k) {
    case 'num':
      return n.v;
    case 'op': {
      const r = constEval(n.r);
      if (n.l === null) return n.op === '-' ? -r : n.op === '~' ? ~r : r === 0n ? 1n : 0n;
      const l = constEval(n.l);
      switch (n.op) {
        case '+': return l + r;
        case '-': return l - r;
        case '*': return l * r;
        case '/': return r === 0n ? 0n : l / r;
        case '%': return r === 0n ? 0n : l % r;
        case '<<': return l << r;
        case '>>': return l >> r;
        case '&': return l & r;
        case '|': return l | r;
        case '^': return l ^ r;
        default: throw new UnsupportedFormat(`constant operator ${n.op}`);
      }
    }
    case 'cast':
      return constEval(n.item);
    default:
      throw new UnsupportedFormat('non-constant symbol value');
  }
}

// ---------------------------------------------------------------- evaluation

type NumFn = (d: EventData) => bigint;
type StrFn = (d: EventData) => string;

/** An unsigned little/big-endian integer of 1, 2, 4 or 8 bytes from an event's data; 0 outside it. */
export function readUnsigned(d: EventData, off: number, size: number, le: boolean): bigint {
  if (off + size > d.size || off < 0) return 0n;
  const p = d.base + off;
  switch (size) {
    case 1:
      return BigInt(d.bytes[p]);
    case 2:
      return BigInt(d.view.getUint16(p, le));
    case 4:
      return BigInt(d.view.getUint32(p, le));
    case 8:
      return d.view.getBigUint64(p, le);
    default:
      return 0n;
  }
}

/** __data_loc: (len << 16) | offset; __rel_loc: offset is relative to the end of the field. */
export function dynamicLocation(d: EventData, f: FormatField, le: boolean): { offset: number; len: number } {
  if (f.offset + 4 > d.size) return { offset: 0, len: 0 };
  const v = d.view.getUint32(d.base + f.offset, le);
  let offset = v & 0xffff;
  const len = v >>> 16;
  if (f.isRelative) offset += f.offset + f.size;
  if (offset + len > d.size) return { offset: 0, len: 0 };
  return { offset, len };
}

function cString(d: EventData, off: number, maxLen: number): string {
  const start = d.base + off;
  let end = start;
  const limit = Math.min(start + maxLen, d.base + d.size);
  const b = d.bytes;
  while (end < limit && b[end] !== 0) end++;
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

function castMask(type: string): ((v: bigint) => bigint) | null {
  let t = type.trim();
  if (t.endsWith('*') || t.startsWith('struct')) return null;
  if (t === 'u8') return (v) => v & 0xffn;
  if (t === 'u16') return (v) => v & 0xffffn;
  if (t === 'u32') return (v) => v & 0xffffffffn;
  if (t === 's8') return (v) => v & 0xffn;
  if (t === 's16') return (v) => v & 0xffffn;
  if (t === 's32') return (v) => v & 0xffffffffn;
  if (t.startsWith('unsigned ')) t = t.slice(9);
  if (t === 'char') return (v) => v & 0xffn;
  if (t === 'short') return (v) => v & 0xffffn;
  if (t === 'int') return (v) => v & 0xffffffffn;
  return null;
}

class Compiler {
  constructor(
    readonly env: PrintEnv,
    readonly event: EventFormat,
  ) {}

  num(n: Node): NumFn {
    const le = this.env.le;
    switch (n.k) {
      case 'num': {
        const v = BigInt.asUintN(64, n.v);
        return () => v;
      }
      case 'str':
      case 'sym':
        return () => 0n;
      case 'field': {
        const f = n.f;
        return (d) => readUnsigned(d, f.offset, f.size, le);
      }
      case 'cast': {
        const item = this.num(n.item);
        const mask = castMask(n.type);
        return mask ? (d) => mask(item(d)) : item;
      }
      case 'cond': {
        const c = this.num(n.c);
        const t = this.num(n.t);
        const e = this.num(n.e);
        return (d) => (c(d) !== 0n ? t(d) : e(d));
      }
      case 'index': {
        const idx = this.num(n.idx);
        let base = n.base;
        let typeMask: ((v: bigint) => bigint) | null = null;
        while (base.k === 'cast') {
          if (!typeMask) {
            const t = base.type.replace(/\s*\*$/, '');
            typeMask = castMask(t);
          }
          base = base.item;
        }
        if (base.k === 'field') {
          const f = base.f;
          const el = f.elementSize;
          return (d) => {
            const v = readUnsigned(d, f.offset + Number(idx(d)) * el, el, le);
            return typeMask ? typeMask(v) : v;
          };
        }
        if (base.k === 'dynarray') {
          const f = base.f;
          const el = f.elementSize || this.env.longSize;
          return (d) => {
            const loc = dynamicLocation(d, f, le);
            const v = readUnsigned(d, loc.offset + Number(idx(d)), el, le);
            return typeMask ? typeMask(v) : v;
          };
        }
        throw new UnsupportedFormat('indexing something other than a field');
      }
      case 'dynlen': {
        const f = n.f;
        return (d) => BigInt(dynamicLocation(d, f, le).len);
      }
      case 'op':
        return this.op(n);
      default:
        // flags, symbols, strings, masks: no numeric value (libtraceevent returns 0)
        return () => 0n;
    }
  }

  op(n: { op: string; l: Node | null; r: Node }): NumFn {
    const r = this.num(n.r);
    if (n.l === null) {
      switch (n.op) {
        case '-':
          return (d) => BigInt.asUintN(64, -r(d));
        case '!':
          return (d) => (r(d) === 0n ? 1n : 0n);
        case '~':
          return (d) => U64 ^ r(d);
        default:
          throw new UnsupportedFormat(`unary ${n.op}`);
      }
    }
    const l = this.num(n.l);
    switch (n.op) {
      case '+': return (d) => BigInt.asUintN(64, l(d) + r(d));
      case '-': return (d) => BigInt.asUintN(64, l(d) - r(d));
      case '*': return (d) => BigInt.asUintN(64, l(d) * r(d));
      case '/': return (d) => { const b = r(d); return b === 0n ? 0n : l(d) / b; };
      case '%': return (d) => { const b = r(d); return b === 0n ? 0n : l(d) % b; };
      case '<<': return (d) => BigInt.asUintN(64, l(d) << (r(d) & 63n));
      case '>>': return (d) => l(d) >> (r(d) & 63n);
      case '&': return (d) => l(d) & r(d);
      case '|': return (d) => l(d) | r(d);
      case '^': return (d) => l(d) ^ r(d);
      case '&&': return (d) => (l(d) !== 0n && r(d) !== 0n ? 1n : 0n);
      case '||': return (d) => (l(d) !== 0n || r(d) !== 0n ? 1n : 0n);
      case '<': return (d) => (l(d) < r(d) ? 1n : 0n);
      case '>': return (d) => (l(d) > r(d) ? 1n : 0n);
      case '<=': return (d) => (l(d) <= r(d) ? 1n : 0n);
      case '>=': return (d) => (l(d) >= r(d) ? 1n : 0n);
      case '==': return (d) => (l(d) === r(d) ? 1n : 0n);
      case '!=': return (d) => (l(d) !== r(d) ? 1n : 0n);
      default:
        throw new UnsupportedFormat(`operator ${n.op}`);
    }
  }

  /** print_str_arg: the text of an argument used with %s. */
  str(n: Node): StrFn {
    const le = this.env.le;
    switch (n.k) {
      case 'num': {
        const s = n.text;
        return () => s;
      }
      case 'str': {
        const s = n.v;
        return () => s;
      }
      case 'sym': {
        const s = n.name;
        return () => s;
      }
      case 'field': {
        const f = n.f;
        if (!f.isArray && f.size === this.env.longSize) {
          const env = this.env;
          return (d) => {
            const addr = readUnsigned(d, f.offset, f.size, le);
            return env.findPrintk(addr) ?? addr.toString(16);
          };
        }
        return (d) => cString(d, f.offset, f.size || d.size - f.offset);
      }
      case 'symbolic': {
        const val = this.num(n.val);
        const map = new Map<bigint, string>();
        for (const [v, s] of n.entries) if (!map.has(v)) map.set(v, s);
        return (d) => {
          const v = val(d);
          const s = map.get(v);
          return s !== undefined ? s : '0x' + v.toString(16);
        };
      }
      case 'flags': {
        const val = this.num(n.val);
        const entries = n.entries.map(([v, s]) => [BigInt.asIntN(64, v), v, s] as const);
        const delim = n.delim;
        return (d) => {
          let v = val(d);
          let out = '';
          let printed = false;
          for (const [signed, fv, s] of entries) {
            if (v === 0n && signed < 0n) {
              out += s;
              break;
            }
            if (signed > 0n && (v & fv) === fv) {
              if (printed && delim) out += delim;
              out += s;
              printed = true;
              v &= ~fv & U64;
            }
          }
          if (v !== 0n) {
            if (printed && delim) out += delim;
            out += '0x' + v.toString(16);
          }
          return out;
        };
      }
      case 'cond': {
        const c = this.num(n.c);
        const t = this.str(n.t);
        const e = this.str(n.e);
        return (d) => (c(d) !== 0n ? t(d) : e(d));
      }
      case 'dynstr': {
        const f = n.f;
        return (d) => {
          const loc = dynamicLocation(d, f, le);
          return loc.len === 0 ? '' : cString(d, loc.offset, loc.len);
        };
      }
      case 'hex': {
        const ptr = this.pointer(n.data);
        const len = this.num(n.len);
        const spaced = n.spaced;
        return (d) => {
          const at = ptr(d);
          const count = Number(len(d));
          let s = '';
          for (let i = 0; i < count && at + i < d.size; i++) {
            if (i && spaced) s += ' ';
            s += d.bytes[d.base + at + i].toString(16).padStart(2, '0');
          }
          return s;
        };
      }
      case 'intarray': {
        const ptr = this.pointer(n.data);
        const count = this.num(n.count);
        const elSize = this.num(n.elSize);
        return (d) => {
          let at = ptr(d);
          const cnt = Number(count(d));
          let el = Number(elSize(d));
          let s = '{';
          for (let i = 0; i < cnt; i++) {
            if (i) s += ',';
            if (el === 1 || el === 2 || el === 4 || el === 8) s += '0x' + readUnsigned(d, at, el, le).toString(16);
            else {
              s += `BAD SIZE:${el} 0x${readUnsigned(d, at, 1, le).toString(16)}`;
              el = 1;
            }
            at += el;
          }
          return s + '}';
        };
      }
      case 'mask': {
        const f = n.f;
        const big = this.env.bigEndian;
        const cpumask = n.cpumask;
        return (d) => {
          const loc = f.isDynamic ? dynamicLocation(d, f, le) : { offset: f.offset, len: f.size };
          return cpumask ? cpumaskText(d, loc.offset, loc.len, big) : bitmaskText(d, loc.offset, loc.len, big);
        };
      }
      default:
        // casts, ops other than ?:, dynamic arrays: libtraceevent prints nothing for them with %s
        return () => '';
    }
  }

  /** Offset (within the event) that a pointer-ish argument of __print_hex / __print_array designates. */
  pointer(n: Node): (d: EventData) => number {
    const le = this.env.le;
    while (n.k === 'cast') n = n.item;
    if (n.k === 'dynarray') {
      const f = n.f;
      return (d) => dynamicLocation(d, f, le).offset;
    }
    if (n.k === 'field') {
      const f = n.f;
      if (f.isDynamic) return (d) => dynamicLocation(d, f, le).offset;
      return () => f.offset;
    }
    throw new UnsupportedFormat('array argument is not a field');
  }
}

function cpumaskText(d: EventData, off: number, size: number, big: boolean): string {
  const ranges: string[] = [];
  let start = -1;
  const nbits = size * 8;
  for (let bit = 0; bit <= nbits; bit++) {
    let set = false;
    if (bit < nbits) {
      const i = bit >> 3;
      const idx = big ? size - (i + 1) : i;
      set = (d.bytes[d.base + off + idx] & (1 << (bit & 7))) !== 0;
    }
    if (set && start < 0) start = bit;
    else if (!set && start >= 0) {
      ranges.push(bit - 1 > start ? `${start}-${bit - 1}` : `${start}`);
      start = -1;
    }
  }
  return ranges.join(',');
}

function bitmaskText(d: EventData, off: number, size: number, big: boolean): string {
  // hex digits, most significant first, a comma every 32 bits (print_bitmask_to_seq)
  let s = '';
  for (let len = 0; len < size; len++) {
    const idx = big ? size - (len + 1) : len;
    s = d.bytes[d.base + off + idx].toString(16).padStart(2, '0') + s;
    if (((len + 1) & 3) === 0 && len + 1 < size) s = ',' + s;
  }
  return s;
}

// ---------------------------------------------------------------- printf

interface Spec {
  minus: boolean;
  zero: boolean;
  plus: boolean;
  space: boolean;
  hash: boolean;
  width: number;
  precision: number | null;
}

function pad(body: string, sign: string, prefix: string, spec: Spec, width: number, numeric: boolean): string {
  const len = sign.length + prefix.length + body.length;
  if (len >= width) return sign + prefix + body;
  const fill = width - len;
  if (spec.minus) return sign + prefix + body + ' '.repeat(fill);
  if (spec.zero && numeric && spec.precision === null) return sign + prefix + '0'.repeat(fill) + body;
  return ' '.repeat(fill) + sign + prefix + body;
}

function formatInteger(v: bigint, conv: string, ls: number, spec: Spec, width: number): string {
  const bits = ls >= 1 ? 64 : ls === 0 ? 32 : ls === -1 ? 16 : 8;
  let sign = '';
  let body: string;
  let prefix = '';
  if (conv === 'd' || conv === 'i') {
    // the argument is passed as (char)/(short)/(int)/(long), then %d reads an int (or a long for %ld)
    const argBits = ls >= 1 ? 64 : ls === 0 ? 32 : ls === -1 ? 16 : 8;
    let s = BigInt.asIntN(argBits, v);
    s = BigInt.asIntN(bits, s);
    if (s < 0n) {
      sign = '-';
      s = -s;
    } else if (spec.plus) sign = '+';
    else if (spec.space) sign = ' ';
    body = s.toString(10);
  } else {
    // (char)/(short) promote with sign extension to int, then %u/%x read bits of the conversion's width
    const argBits = ls >= 1 ? 64 : ls === 0 ? 32 : ls === -1 ? 16 : 8;
    const readBits = ls >= 1 ? 64 : ls === 0 ? 32 : ls === -1 ? 16 : 8;
    const u = BigInt.asUintN(readBits, BigInt.asIntN(argBits, v));
    if (conv === 'u') body = u.toString(10);
    else if (conv === 'o') {
      body = u.toString(8);
      if (spec.hash && body[0] !== '0') body = '0' + body;
    } else {
      body = u.toString(16);
      if (conv === 'X') body = body.toUpperCase();
      if (spec.hash && u !== 0n) prefix = conv === 'X' ? '0X' : '0x';
    }
  }
  if (spec.precision !== null) {
    if (spec.precision === 0 && body === '0') body = '';
    else if (body.length < spec.precision) body = '0'.repeat(spec.precision - body.length) + body;
  }
  return pad(body, sign, prefix, spec, width, true);
}

function formatString(s: string, spec: Spec, width: number, precision: number | null): string {
  if (precision !== null && s.length > precision) s = s.slice(0, precision);
  return pad(s, '', '', spec, width, false);
}

// ---------------------------------------------------------------- the compiled renderer

export type Renderer = (d: EventData) => string;

/** Compiles an event's print fmt; throws UnsupportedFormat when it cannot be evaluated. */
export function compilePrintFmt(event: EventFormat, env: PrintEnv): Renderer {
  if (event.printFmt === null) throw new UnsupportedFormat('no print fmt');
  const p = new Parser(tokenize(event.printFmt), event);
  const fmt = p.formatString();
  const args = p.args();
  const c = new Compiler(env, event);
  const parts: Renderer[] = [];
  let lit = '';
  let ai = 0;
  const nextArg = (): Node => {
    const a = args[ai++];
    if (!a) throw new UnsupportedFormat('fewer arguments than conversions');
    return a;
  };
  const flushLit = () => {
    if (lit) {
      const s = lit;
      parts.push(() => s);
      lit = '';
    }
  };
  let i = 0;
  const f = unescapeC(fmt);
  while (i < f.length) {
    const ch = f[i];
    if (ch !== '%') {
      lit += ch;
      i++;
      continue;
    }
    if (f[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    const m = /^%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?(hh|h|ll|l|L|z|Z|j|t)?([diuxXocsp])/.exec(f.slice(i));
    if (!m) throw new UnsupportedFormat(`conversion ${JSON.stringify(f.slice(i, i + 6))}`);
    i += m[0].length;
    const flags = m[1];
    const spec: Spec = {
      minus: flags.includes('-'),
      zero: flags.includes('0'),
      plus: flags.includes('+'),
      space: flags.includes(' '),
      hash: flags.includes('#'),
      width: m[2] && m[2] !== '*' ? Number(m[2]) : 0,
      precision: m[3] === undefined ? null : m[3] === '*' ? null : Number(m[3] || '0'),
    };
    // a '*' width or precision takes its value from an argument (libtraceevent allows one)
    let lenArg: NumFn | null = null;
    let lenIsPrecision = false;
    if (m[2] === '*' || m[3] === '*') {
      lenArg = c.num(nextArg());
      lenIsPrecision = m[3] === '*';
    }
    const lenMod = m[4] ?? '';
    const ls = lenMod === 'hh' ? -2 : lenMod === 'h' ? -1 : lenMod === 'l' || lenMod === 'z' || lenMod === 'Z' || lenMod === 'j' || lenMod === 't' ? 1 : lenMod === 'll' || lenMod === 'L' ? 2 : 0;
    const conv = m[5];
    flushLit();
    if (conv === 'p') {
      // %pS %ps %pF %pf: symbol lookup; %pM etc: not needed for the modelled events
      const ext = /^[SsFf]/.exec(f.slice(i));
      const arg = nextArg();
      if (arg.k === 'str') {
        const s = arg.v;
        parts.push(() => s);
        if (ext) i += 1;
        continue;
      }
      const val = c.num(arg);
      if (ext) {
        i += 1;
        const withOffset = ext[0] === 'S' || ext[0] === 'F';
        const env = c.env;
        const long4 = env.longSize === 4;
        parts.push((d) => {
          const v = val(d);
          const fn = env.findFunction(v);
          if (fn) return withOffset ? `${fn.name}+0x${(v - fn.addr).toString(16)}` : fn.name;
          return '0x' + (long4 ? BigInt.asUintN(64, v) : v).toString(16);
        });
        continue;
      }
      if (/^[MmIiUh]/.test(f.slice(i))) throw new UnsupportedFormat(`%p${f[i]} is not supported`);
      const width = spec.width;
      parts.push((d) => {
        const v = val(d);
        return formatString(v === 0n ? '(nil)' : '0x' + v.toString(16), spec, width, null);
      });
      continue;
    }
    if (conv === 's') {
      const s = c.str(nextArg());
      if (lenArg) {
        const la = lenArg;
        parts.push((d) => {
          const n = Number(BigInt.asIntN(32, la(d)));
          return lenIsPrecision ? formatString(s(d), spec, spec.width, n) : formatString(s(d), spec, n, spec.precision);
        });
      } else if (spec.width === 0 && spec.precision === null) parts.push(s);
      else parts.push((d) => formatString(s(d), spec, spec.width, spec.precision));
      continue;
    }
    const val = c.num(nextArg());
    if (conv === 'c') {
      parts.push((d) => formatString(String.fromCharCode(Number(val(d) & 0xffn)), spec, spec.width, null));
      continue;
    }
    if (lenArg) {
      const la = lenArg;
      parts.push((d) => {
        const n = Number(BigInt.asIntN(32, la(d)));
        if (lenIsPrecision) return formatInteger(val(d), conv, ls, { ...spec, precision: n }, spec.width);
        return formatInteger(val(d), conv, ls, spec, n);
      });
    } else if (!flags && spec.width === 0 && spec.precision === null) {
      parts.push(fastInteger(val, conv, ls));
    } else parts.push((d) => formatInteger(val(d), conv, ls, spec, spec.width));
  }
  flushLit();
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) {
    const [a, b] = parts;
    return (d) => a(d) + b(d);
  }
  return (d) => {
    let s = '';
    for (let k = 0; k < parts.length; k++) s += parts[k](d);
    return s;
  };
}

function fastInteger(val: NumFn, conv: string, ls: number): Renderer {
  const bits = ls >= 1 ? 64 : ls === 0 ? 32 : ls === -1 ? 16 : 8;
  if (conv === 'd' || conv === 'i') return (d) => BigInt.asIntN(bits, val(d)).toString(10);
  if (conv === 'u') return (d) => BigInt.asUintN(bits, BigInt.asIntN(bits, val(d))).toString(10);
  if (conv === 'x') return (d) => BigInt.asUintN(bits, val(d)).toString(16);
  if (conv === 'X') return (d) => BigInt.asUintN(bits, val(d)).toString(16).toUpperCase();
  return (d) => BigInt.asUintN(bits, val(d)).toString(8);
}

/** libtraceevent's "[FAILED TO PARSE]" path prints every field as name=value; we print the pairs alone. */
export function compileFieldDump(event: EventFormat, env: PrintEnv): Renderer {
  const le = env.le;
  const parts = event.fields.map((f): Renderer => {
    const name = f.name;
    if (f.isArray) {
      return (d) => {
        const loc = f.isDynamic ? dynamicLocation(d, f, le) : { offset: f.offset, len: f.size };
        if (f.isString) return `${name}=${cString(d, loc.offset, loc.len)}`;
        let s = '';
        for (let i = 0; i < loc.len && loc.offset + i < d.size; i++) {
          if (i) s += ', ';
          s += d.bytes[d.base + loc.offset + i].toString(16).padStart(2, '0');
        }
        return `${name}=ARRAY[${s}]`;
      };
    }
    return (d) => {
      const v = readUnsigned(d, f.offset, f.size, le);
      if (f.isPointer) return `${name}=0x${v.toString(16)}`;
      if (f.signed) {
        if (f.size === 4 && f.isLong) return `${name}=0x${BigInt.asUintN(32, v).toString(16)}`;
        const bits = f.size === 1 ? 8 : f.size === 2 ? 16 : f.size === 4 ? 32 : 64;
        return `${name}=${BigInt.asIntN(bits, v).toString(10)}`;
      }
      return f.isLong ? `${name}=0x${v.toString(16)}` : `${name}=${v.toString(10)}`;
    };
  });
  return (d) => parts.map((p) => p(d)).join(' ');
}
