// Compiles parsed print fmt arguments into closures over an event's bytes: numbers as unsigned 64-bit values,
// strings, symbolic and flag names, dynamic arrays, hex dumps and CPU masks.
import type { EventFormat } from '../format';
import { U64, UnsupportedFormat, cString, dynamicLocation, readUnsigned } from './eventData';
import type { EventData, PrintEnv } from './eventData';
import type { Node } from './parser';

export type NumFn = (d: EventData) => bigint;
export type StrFn = (d: EventData) => string;

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

export class Compiler {
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
      case '+':
        return (d) => BigInt.asUintN(64, l(d) + r(d));
      case '-':
        return (d) => BigInt.asUintN(64, l(d) - r(d));
      case '*':
        return (d) => BigInt.asUintN(64, l(d) * r(d));
      case '/':
        return (d) => {
          const b = r(d);
          return b === 0n ? 0n : l(d) / b;
        };
      case '%':
        return (d) => {
          const b = r(d);
          return b === 0n ? 0n : l(d) % b;
        };
      case '<<':
        return (d) => BigInt.asUintN(64, l(d) << (r(d) & 63n));
      case '>>':
        return (d) => l(d) >> (r(d) & 63n);
      case '&':
        return (d) => l(d) & r(d);
      case '|':
        return (d) => l(d) | r(d);
      case '^':
        return (d) => l(d) ^ r(d);
      case '&&':
        return (d) => (l(d) !== 0n && r(d) !== 0n ? 1n : 0n);
      case '||':
        return (d) => (l(d) !== 0n || r(d) !== 0n ? 1n : 0n);
      case '<':
        return (d) => (l(d) < r(d) ? 1n : 0n);
      case '>':
        return (d) => (l(d) > r(d) ? 1n : 0n);
      case '<=':
        return (d) => (l(d) <= r(d) ? 1n : 0n);
      case '>=':
        return (d) => (l(d) >= r(d) ? 1n : 0n);
      case '==':
        return (d) => (l(d) === r(d) ? 1n : 0n);
      case '!=':
        return (d) => (l(d) !== r(d) ? 1n : 0n);
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
