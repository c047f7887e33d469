// The print fmt tokenizer: numbers (as 64-bit values), string literals, identifiers and punctuation.
import { UnsupportedFormat } from './eventData';

export type Tok =
  { t: 'num'; v: bigint; text: string } | { t: 'str'; v: string } | { t: 'id'; v: string } | { t: 'p'; v: string };

const PUNCT2 = ['->', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||'];

export function unescapeC(s: string): string {
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
