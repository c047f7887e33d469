// Logarithmic bucket numbers of whole numbers without a logarithm per value (the histograms' buckets, the transaction
// sketch's duration classes): those below 64 by a table of their own; above, each power of two is cut into 64
// slices, narrower than a bucket, so a slice holds at most one bucket boundary. Per slice: the bucket of its first
// number and the first number of the next bucket, both found with the bucket's definition by logarithm itself, so
// the table and the definition agree by construction.

const SLICES = 64;

export class WholeNumberBuckets {
  private small: Uint16Array | null = null;
  private sliceBucket: Uint16Array | null = null;
  private sliceNext: Float64Array | null = null;

  /**
   * `byLog`: the definition — non-decreasing, consecutive bucket numbers below 65536, and each bucket from 64 on
   * wider than a slice (a ratio above 1 + 1/64 between its bounds, as 1.02 and 1.2 are).
   */
  constructor(private readonly byLog: (value: number) => number) {}

  /** byLog(value), for a whole number 0 .. 2^32-1 (the table is built at the first call). */
  of(value: number): number {
    if (this.sliceBucket === null) this.build();
    if (value < SLICES) return this.small![value];
    const octave = 31 - Math.clz32(value);
    const slice = octave * SLICES + ((value >>> (octave - 6)) & (SLICES - 1));
    const b = this.sliceBucket![slice];
    return value >= this.sliceNext![slice] ? b + 1 : b;
  }

  private build(): void {
    const byLog = this.byLog;
    this.small = Uint16Array.from({ length: SLICES }, (_, v) => byLog(v));
    const sliceBucket = new Uint16Array(32 * SLICES);
    const sliceNext = new Float64Array(32 * SLICES);
    for (let octave = 6; octave < 32; octave++) {
      const width = 2 ** (octave - 6);
      for (let i = 0; i < SLICES; i++) {
        const first = (SLICES + i) * width;
        const last = first + width - 1;
        const b = byLog(first);
        const slice = octave * SLICES + i;
        sliceBucket[slice] = b;
        sliceNext[slice] = byLog(last) > b ? this.firstAbove(first, last, b) : Infinity;
      }
    }
    this.sliceBucket = sliceBucket;
    this.sliceNext = sliceNext;
  }

  /** The first whole number in lo..hi whose bucket is above b (hi's is). */
  private firstAbove(lo: number, hi: number, b: number): number {
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.byLog(mid) > b) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
