// The TIME_SHIFT samples injected into copies of the real recording multi-v7.dat (make-timeshift.mts).
import type { TimeShiftSample } from '../../src/core/tracedat/header';

/** Raw (local clock, ns) time near the start of the recording: its first event is at 3449.259533982 s. */
const T0 = 3_449_259_000_000n;
const MS = 1_000_000n;

/** TRACECMD_TSYNC_FLAG_INTERPOLATE. */
export const SHIFT_FLAGS = 1;
// CPU 0: three samples, offsets that move both ways (interpolated); CPU 1: two samples with a scaling ratio of
// (2^20 + 1) / 2^20 (about +3.29 ms at this clock value) against an offset of -3 ms; CPU 2 (no events): one sample.
export const SHIFT_CPUS: TimeShiftSample[][] = [
  [
    { time: T0 + 400n * MS, offset: -2_500_000n, scaling: 1n, fraction: 0n },
    { time: T0, offset: -2_000_000n, scaling: 1n, fraction: 0n }, // out of order on purpose: trace-cmd sorts them
    { time: T0 + 200n * MS, offset: -1_500_000n, scaling: 1n, fraction: 0n },
  ],
  [
    { time: T0, offset: -3_000_000n, scaling: (1n << 20n) + 1n, fraction: 20n },
    { time: T0 + 500n * MS, offset: -2_900_000n, scaling: (1n << 20n) + 1n, fraction: 20n },
  ],
  [{ time: T0, offset: 7n, scaling: 1n, fraction: 0n }],
];

/**
 * Shifts that land top-instance events on the exact ns of "second" events (one sample per CPU: ts + offset), so
 * the tie order of trace-cmd's tracecmd_iterate_events_multi (top instance's CPUs before the instance's) shows:
 * top CPU 0 raw 3449259533982 + 21442 = second CPU 0 write_msr 3449259555424;
 * top CPU 1 raw 3449260381410 + 642631 = second CPU 0 local_timer_entry 3449261024041.
 */
export const TIE_FLAGS = 0;
export const TIE_CPUS: TimeShiftSample[][] = [
  [{ time: T0, offset: 21_442n, scaling: 1n, fraction: 0n }],
  [{ time: T0, offset: 642_631n, scaling: 1n, fraction: 0n }],
];
