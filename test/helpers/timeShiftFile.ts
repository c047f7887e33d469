// Appends a TIME_SHIFT option to a copy of a v7 trace.dat: one more options section, linked from the last
// options section's DONE option; nothing else changes. Used by make-timeshift.mts and instances.test.ts.
// TIME_SHIFT layout: trace-cmd lib/trace-cmd/trace-input.c handle_options() / tsync_cpu_offsets_load() and
// Documentation/trace-cmd/trace-cmd.dat.v7.5.txt. Little-endian, uncompressed options sections only.
import type { TimeShiftSample } from '../../src/core/tracedat/header';

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
}
function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
}
function i64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(v);
  return b;
}

function timeShiftData(flags: number, cpus: TimeShiftSample[][]): Buffer {
  const parts: Buffer[] = [i64(0x1234n), u32(flags), u32(cpus.length)];
  for (const samples of cpus) {
    parts.push(u32(samples.length));
    for (const s of samples) parts.push(i64(s.time));
    for (const s of samples) parts.push(i64(s.offset));
    for (const s of samples) parts.push(i64(s.scaling));
  }
  for (const samples of cpus) for (const s of samples) parts.push(i64(s.fraction));
  return Buffer.concat(parts);
}

export function withTimeShift(src: Buffer, flags: number, cpus: TimeShiftSample[][]): Buffer {
  // walk the options sections chain: header (id u16, flags u16, description u32, size u64), options (id u16, size u32)
  const compressionEnd = src.indexOf(0, src.indexOf(0, 10 + 2 + 1 + 1 + 4 + 1) + 1) + 1;
  let next = Number(src.readBigUInt64LE(compressionEnd));
  let lastDone = -1;
  let description = 0;
  while (next !== 0) {
    if (src.readUInt16LE(next) !== 0 || src.readUInt16LE(next + 2) !== 0)
      throw new Error(`not a plain options section at ${next}`);
    description = src.readUInt32LE(next + 4);
    let p = next + 16;
    for (;;) {
      const id = src.readUInt16LE(p);
      const size = src.readUInt32LE(p + 2);
      if (id === 0) {
        lastDone = p + 6;
        next = Number(src.readBigUInt64LE(p + 6));
        break;
      }
      p += 6 + size;
    }
  }
  const data = timeShiftData(flags, cpus);
  const options = Buffer.concat([u16(12), u32(data.length), data, u16(0), u32(8), i64(0n)]);
  const section = Buffer.concat([u16(0), u16(0), u32(description), i64(BigInt(options.length)), options]);
  const out = Buffer.concat([src, section]);
  out.writeBigUInt64LE(BigInt(src.length), lastDone);
  return out;
}
