// The print fmt parser: the quoted format string, then its arguments as expressions over the event's fields
// (C operators by precedence, casts, and the __print_* / __get_* helpers libtraceevent knows).
import type { EventFormat, FormatField } from '../format';
import { UnsupportedFormat } from './eventData';
import { unescapeC, type Tok } from './tokens';

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
  '*': 10,
  '/': 10,
  '%': 10,
  '+': 9,
  '-': 9,
  '<<': 8,
  '>>': 8,
  '<': 7,
  '>': 7,
  '<=': 7,
  '>=': 7,
  '==': 6,
  '!=': 6,
  '&': 5,
  '^': 4,
  '|': 3,
  '&&': 2,
  '||': 1,
};

const TYPE_WORDS = new Set([
  'unsigned',
  'signed',
  'int',
  'long',
  'short',
  'char',
  'bool',
  'void',
  'const',
  'volatile',
  'struct',
  'enum',
  'u8',
  'u16',
  'u32',
  'u64',
  's8',
  's16',
  's32',
  's64',
  'size_t',
  'ssize_t',
  'pid_t',
  'gfp_t',
  'uint',
  'ulong',
  'uint8_t',
  'uint16_t',
  'uint32_t',
  'uint64_t',
  'int8_t',
  'int16_t',
  'int32_t',
  'int64_t',
  '__u8',
  '__u16',
  '__u32',
  '__u64',
  '__s8',
  '__s16',
  '__s32',
  '__s64',
  'dma_addr_t',
  'phys_addr_t',
  'sector_t',
  'loff_t',
]);

export class Parser {
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
      else if (j > 0 && (this.peek(j - 1) as Tok).t === 'id' && (this.peek(j - 1) as { v: string }).v === 'struct')
        sawType = true;
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
        if (e.k !== 'list' || e.items.length !== 2 || e.items[1].k !== 'str')
          throw new UnsupportedFormat(`${name}: bad entry`);
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
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          return r === 0n ? 0n : l / r;
        case '%':
          return r === 0n ? 0n : l % r;
        case '<<':
          return l << r;
        case '>>':
          return l >> r;
        case '&':
          return l & r;
        case '|':
          return l | r;
        case '^':
          return l ^ r;
        default:
          throw new UnsupportedFormat(`constant operator ${n.op}`);
      }
    }
    case 'cast':
      return constEval(n.item);
    default:
      throw new UnsupportedFormat('non-constant symbol value');
  }
}
