// The printf engine: flags, width, precision and length modifiers of one conversion, applied to a 64-bit value or a
// string as glibc's printf would on a 64-bit host.

export interface Spec {
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

export function formatInteger(v: bigint, conv: string, ls: number, spec: Spec, width: number): string {
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

export function formatString(s: string, spec: Spec, width: number, precision: number | null): string {
  if (precision !== null && s.length > precision) s = s.slice(0, precision);
  return pad(s, '', '', spec, width, false);
}
