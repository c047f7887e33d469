// An event's bytes and the environment its print fmt is evaluated in (byte order, long size, symbol lookups), and
// the raw field readers every stage shares (libtraceevent reads fields unsigned, without sign extension).
import type { FormatField } from '../format';

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

/** The print fmt uses something this evaluator does not implement; the caller falls back to a field dump. */
export class UnsupportedFormat extends Error {}

/** All 64 bits set: values are unsigned 64-bit, as in libtraceevent. */
export const U64 = (1n << 64n) - 1n;

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

export function cString(d: EventData, off: number, maxLen: number): string {
  const start = d.base + off;
  let end = start;
  const limit = Math.min(start + maxLen, d.base + d.size);
  const b = d.bytes;
  while (end < limit && b[end] !== 0) end++;
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}
