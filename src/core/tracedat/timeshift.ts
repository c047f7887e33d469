// Timestamp conversion as trace-cmd's lib/trace-cmd/trace-input.c timestamp_calc() does it: host/guest correction
// from the TIME_SHIFT samples (timestamp_host_sync / timestamp_correction_calc), then TSC → ns (mul_u64_u32_shr),
// then the DATE/OFFSET shift. Arithmetic is done on 64-bit integers with C's wrap-around, so results match to the ns.
import type { TimeShift, TimeShiftSample } from './header';

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const S64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** TRACECMD_TSYNC_FLAG_INTERPOLATE (trace-cmd-private.h): interpolate the offset between two samples. */
export const TSYNC_FLAG_INTERPOLATE = 0x1;

/** mul_u64_u32_shr() of trace-input.c: (a * mul) >> shift computed as two 32-bit halves. */
export function mulU64U32Shr(a: bigint, mul: bigint, shift: bigint): bigint {
  const al = a & 0xffffffffn;
  const ah = a >> 32n;
  let ret = U64(al * mul) >> shift;
  if (ah !== 0n) ret = U64(ret + U64(U64(ah * mul) << (32n - shift)));
  return ret;
}

/** timestamp_correction_calc() of trace-input.c; `ts` is an unsigned 64-bit raw guest timestamp. */
export function timestampCorrectionCalc(ts: bigint, flags: number, min: TimeShiftSample, max: TimeShiftSample): bigint {
  let tscor: bigint;
  if ((flags & TSYNC_FLAG_INTERPOLATE) !== 0) {
    const delta = S64(max.time - min.time);
    const offset = S64(S64(S64(ts) - min.time) * S64(max.offset - min.offset));
    // C's long long division truncates toward zero, as BigInt division does; delta 0 cannot happen (equal times
    // are dropped when the samples are loaded)
    tscor = delta === 0n ? min.offset : S64(min.offset + S64(offset + delta / 2n) / delta);
  } else {
    tscor = min.offset;
  }
  const scaled = U64(ts * U64(min.scaling)) >> (U64(min.fraction) & 63n);
  return U64(tscor < 0n ? scaled - -tscor : scaled + tscor);
}

/** timestamp_host_sync() of trace-input.c: picks the samples around `ts` on this CPU and corrects it. */
export function timestampHostSync(ts: bigint, cpu: number, shift: TimeShift): bigint {
  if (cpu < 0 || cpu >= shift.cpus.length) return ts;
  const s = shift.cpus[cpu];
  const n = s.length;
  if (n === 0) return ts; // trace-cmd would read past its array here; leave the timestamp alone
  if (n === 1) return U64(ts + s[0].offset);
  if (n === 2) return timestampCorrectionCalc(ts, shift.flags, s[0], s[1]);
  // the sample times are long long; C compares them with the unsigned ts after converting them to unsigned
  if (ts <= U64(s[0].time)) return timestampCorrectionCalc(ts, shift.flags, s[0], s[1]);
  if (ts >= U64(s[n - 1].time)) return timestampCorrectionCalc(ts, shift.flags, s[n - 2], s[n - 1]);
  let min = 0;
  let max = n - 1;
  let mid = Math.trunc((min + max) / 2);
  while (min <= max) {
    const t = U64(s[mid].time);
    if (ts < t) max = mid - 1;
    else if (ts > t) min = mid + 1;
    else break;
    mid = Math.trunc((min + max) / 2);
  }
  return timestampCorrectionCalc(ts, shift.flags, s[mid], s[mid + 1]);
}

export interface TimestampConversion {
  /** Set for guest files of host-guest sessions (applied first, on the raw clock value). */
  timeShift: TimeShift | null;
  tsc2nsec: { mult: number; shift: number } | null;
  /** ns added at the end (DATE / OFFSET options). */
  tsOffset: bigint;
}

/** A raw ring-buffer timestamp → the ns timestamp trace-cmd report prints (timestamp_calc). */
export function makeTimestampConverter(conv: TimestampConversion): (raw: number, cpu: number) => number {
  const { timeShift, tsc2nsec, tsOffset } = conv;
  if (!timeShift && !tsc2nsec) {
    const plain = Number(tsOffset);
    return (raw) => raw + plain;
  }
  const mult = tsc2nsec ? BigInt(tsc2nsec.mult >>> 0) : 0n;
  const shift = tsc2nsec ? BigInt(tsc2nsec.shift) : 0n;
  return (raw, cpu) => {
    let ts = BigInt(raw);
    if (timeShift) ts = timestampHostSync(ts, cpu, timeShift);
    if (tsc2nsec) ts = mulU64U32Shr(ts, mult, shift);
    return Number(U64(ts + tsOffset));
  };
}
