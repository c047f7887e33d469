// Evaluates an event's "print fmt" the way libtraceevent (event-parse.c) does, so the text matches
// `trace-cmd report`: values are unsigned 64-bit (fields are read without sign extension, casts only mask),
// a %d/%u/%x conversion then narrows to int / long / long long as printf would on a 64-bit host.
// The format is parsed once per event type into closures; nothing is re-parsed per event. The stages live in
// print/: tokens.ts (tokenizer), parser.ts, compiler.ts (arguments to closures), printf.ts (the printf engine).
import type { EventFormat } from './format';
import { Compiler, type NumFn, type StrFn } from './print/compiler';
import { UnsupportedFormat, cString, dynamicLocation, readUnsigned, type EventData } from './print/eventData';
import type { PrintEnv } from './print/eventData';
import { Parser, type Node } from './print/parser';
import { formatInteger, formatString, type Spec } from './print/printf';
import { tokenize, unescapeC } from './print/tokens';

export { UnsupportedFormat, dynamicLocation, readUnsigned, tokenize, type EventData, type PrintEnv };

export type Renderer = (d: EventData) => string;

/** One printf conversion of the format string: "%-08.3lx" and what it asks for. */
interface Conversion {
  flags: string;
  spec: Spec;
  /** A '*' width or precision takes its value from an argument (libtraceevent allows one). */
  star: 'width' | 'precision' | null;
  /** Length modifier as a size step: hh -2, h -1, none 0, l/z/j/t 1, ll/L 2. */
  ls: number;
  conv: string;
  /** Characters of the format string it spans. */
  length: number;
}

const CONVERSION = /^%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?(hh|h|ll|l|L|z|Z|j|t)?([diuxXocsp])/;
const LENGTH_STEP: Record<string, number> = { hh: -2, h: -1, l: 1, z: 1, Z: 1, j: 1, t: 1, ll: 2, L: 2 };

function parseConversion(f: string, i: number): Conversion {
  const m = CONVERSION.exec(f.slice(i));
  if (!m) throw new UnsupportedFormat(`conversion ${JSON.stringify(f.slice(i, i + 6))}`);
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
  const star = m[3] === '*' ? 'precision' : m[2] === '*' ? 'width' : null;
  return { flags, spec, star, ls: LENGTH_STEP[m[4] ?? ''] ?? 0, conv: m[5], length: m[0].length };
}

/** Compiles an event's print fmt; throws UnsupportedFormat when it cannot be evaluated. */
export function compilePrintFmt(event: EventFormat, env: PrintEnv): Renderer {
  if (event.printFmt === null) throw new UnsupportedFormat('no print fmt');
  const p = new Parser(tokenize(event.printFmt), event);
  const f = unescapeC(p.formatString());
  const args = p.args();
  const c = new Compiler(env, event);
  let ai = 0;
  const nextArg = (): Node => {
    const a = args[ai++];
    if (!a) throw new UnsupportedFormat('fewer arguments than conversions');
    return a;
  };
  const parts: Renderer[] = [];
  let lit = '';
  const flushLit = () => {
    if (lit) {
      const s = lit;
      parts.push(() => s);
      lit = '';
    }
  };
  let i = 0;
  while (i < f.length) {
    if (f[i] !== '%' || f[i + 1] === '%') {
      lit += f[i];
      i += f[i] === '%' ? 2 : 1;
      continue;
    }
    const cv = parseConversion(f, i);
    i += cv.length;
    const lenArg = cv.star ? c.num(nextArg()) : null;
    flushLit();
    if (cv.conv === 'p') {
      const pointer = pointerConversion(c, cv, nextArg(), f.slice(i));
      i += pointer.extraChars;
      parts.push(pointer.render);
    } else if (cv.conv === 's') parts.push(stringConversion(c.str(nextArg()), cv, lenArg));
    else {
      const val = c.num(nextArg());
      parts.push(cv.conv === 'c' ? charConversion(val, cv.spec) : integerConversion(val, cv, lenArg));
    }
  }
  flushLit();
  return joined(parts);
}

/** %p: %pS %ps %pF %pf look the address up in kallsyms; plain %p prints it; %pM etc are not needed here. */
function pointerConversion(
  c: Compiler,
  cv: Conversion,
  arg: Node,
  after: string,
): { render: Renderer; extraChars: number } {
  const ext = /^[SsFf]/.exec(after);
  if (arg.k === 'str') {
    const s = arg.v;
    return { render: () => s, extraChars: ext ? 1 : 0 };
  }
  const val = c.num(arg);
  if (ext) {
    const withOffset = ext[0] === 'S' || ext[0] === 'F';
    const env = c.env;
    const long4 = env.longSize === 4;
    const render = (d: EventData) => {
      const v = val(d);
      const fn = env.findFunction(v);
      if (fn) return withOffset ? `${fn.name}+0x${(v - fn.addr).toString(16)}` : fn.name;
      return '0x' + (long4 ? BigInt.asUintN(64, v) : v).toString(16);
    };
    return { render, extraChars: 1 };
  }
  if (/^[MmIiUh]/.test(after)) throw new UnsupportedFormat(`%p${after[0]} is not supported`);
  const { spec } = cv;
  const width = spec.width;
  const render = (d: EventData) => {
    const v = val(d);
    return formatString(v === 0n ? '(nil)' : '0x' + v.toString(16), spec, width, null);
  };
  return { render, extraChars: 0 };
}

function stringConversion(s: StrFn, cv: Conversion, lenArg: NumFn | null): Renderer {
  const { spec } = cv;
  if (lenArg) {
    const byPrecision = cv.star === 'precision';
    return (d) => {
      const n = Number(BigInt.asIntN(32, lenArg(d)));
      return byPrecision ? formatString(s(d), spec, spec.width, n) : formatString(s(d), spec, n, spec.precision);
    };
  }
  if (spec.width === 0 && spec.precision === null) return s;
  return (d) => formatString(s(d), spec, spec.width, spec.precision);
}

function charConversion(val: NumFn, spec: Spec): Renderer {
  return (d) => formatString(String.fromCharCode(Number(val(d) & 0xffn)), spec, spec.width, null);
}

function integerConversion(val: NumFn, cv: Conversion, lenArg: NumFn | null): Renderer {
  const { spec, conv, ls } = cv;
  if (lenArg) {
    const byPrecision = cv.star === 'precision';
    return (d) => {
      const n = Number(BigInt.asIntN(32, lenArg(d)));
      if (byPrecision) return formatInteger(val(d), conv, ls, { ...spec, precision: n }, spec.width);
      return formatInteger(val(d), conv, ls, spec, n);
    };
  }
  if (!cv.flags && spec.width === 0 && spec.precision === null) return fastInteger(val, conv, ls);
  return (d) => formatInteger(val(d), conv, ls, spec, spec.width);
}

/** The parts as one renderer (the common one- and two-part formats without a loop). */
function joined(parts: Renderer[]): Renderer {
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
