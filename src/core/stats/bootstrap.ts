// A seeded PRNG, a bounded reservoir sample and a percentile bootstrap: the sampling part of a prediction's range.
// Seeded so that one input always gives the same range.

/** mulberry32: small, fast, good enough for resampling. */
export function seededRandom(seed: number): () => number {
  // The state as a signed 32-bit value (the same bits as the unsigned one): it stays a small integer, where an
  // unsigned one above 2^31 would be a new heap number at every call.
  let a = seed | 0;
  return () => {
    a = nextState(a);
    return drawOf(a);
  };
}

/** mulberry32's next state (signed 32-bit). */
function nextState(state: number): number {
  return (state + 0x6d2b79f5) | 0;
}

/** mulberry32's draw in [0, 1) from a state. */
function drawOf(state: number): number {
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Keeps a uniform sample of at most `capacity` values from a stream of any length (Algorithm R, seeded). */
export class Reservoir {
  readonly values: number[] = [];
  seen = 0;
  /**
   * seededRandom(seed)'s state, kept here: a generator closure per reservoir made the draw a call to a different
   * function in each, which the compiled per-event code (feeding several reservoirs) kept being thrown out for.
   */
  private state: number;

  constructor(
    private readonly capacity = 4096,
    seed = 14,
  ) {
    this.state = seed | 0;
  }

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    this.seen++;
    if (this.values.length < this.capacity) this.values.push(value);
    else {
      this.state = nextState(this.state);
      const j = Math.floor(drawOf(this.state) * this.seen);
      if (j < this.capacity) this.values[j] = value;
    }
  }
}

/** Values as a plain array or a typed one (the bootstrap resamples into a typed array). */
type Values = readonly number[] | Float64Array;

/** Nearest-rank q-quantile of an array; null when empty. */
export function sampleQuantile(values: Values, q: number): number | null {
  if (values.length === 0) return null;
  const rank = Math.min(values.length, Math.max(1, Math.ceil(q * values.length - 1e-9)));
  // selected, not sorted, in a typed copy: the bootstrap asks 200 times per range (NaN alone needs the full sort)
  const copy = new Float64Array(values);
  return hasNaN(copy) ? copy.sort()[rank - 1] : kthSmallest(copy, rank - 1);
}

function hasNaN(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== a[i]) return true;
  return false;
}

/** The k-th smallest value (0-based), by Hoare's selection; reorders `a`. */
function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/**
 * bootstrapInterval(values, (s) => sampleQuantile(s, q)!, options), the same figures from the same random draws, but
 * without copying and selecting in every round: each value's place in the sorted values is found once, a round
 * counts how often each place is drawn, and its q-quantile is the value at the place where that count reaches the
 * quantile's rank.
 */
export function bootstrapQuantileInterval(
  values: readonly number[],
  q: number,
  { rounds = 200, level = 0.95, seed = 14 } = {},
): { low: number; high: number } | null {
  const n = values.length;
  if (n < 10) return null;
  const sorted = new Float64Array(values).sort(); // NaN last, as sampleQuantile's sort puts it
  const placeOf = new Int32Array(n);
  for (let i = 0; i < n; i++) placeOf[i] = firstPlaceOf(sorted, values[i]);
  const k = Math.min(n, Math.max(1, Math.ceil(q * n - 1e-9))) - 1;
  const drawn = new Int32Array(n);
  const results: number[] = [];
  // seededRandom(seed)'s draws, its state carried from round to round
  let state = seed | 0;
  for (let r = 0; r < rounds; r++) {
    state = drawRound(drawn, placeOf, state);
    let seen = 0;
    let place = 0;
    while ((seen += drawn[place]) <= k) place++;
    results.push(sorted[place]);
  }
  results.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { low: results[Math.floor(tail * (rounds - 1))], high: results[Math.ceil((1 - tail) * (rounds - 1))] };
}

/**
 * One round: n draws of a place, counted in `drawn`; the generator's state after them. A function of its own, called
 * once per round, so that it is compiled once for every later bootstrap (a loop inside the caller was compiled
 * anew in each call, most of a first analysis's bootstraps ran before that).
 */
function drawRound(drawn: Int32Array, placeOf: Int32Array, state: number): number {
  const n = placeOf.length;
  drawn.fill(0);
  let a = state;
  for (let i = 0; i < n; i++) {
    a = nextState(a);
    drawn[placeOf[Math.floor(drawOf(a) * n)]]++;
  }
  return a;
}

/** The first index of `value` in ascending `sorted` (NaN sorts last: the first NaN's index). */
function firstPlaceOf(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid];
    // v before value: smaller, or a number before a NaN
    if (v < value || (value !== value && v === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The central `level` interval of `statistic` over `rounds` resamples (with replacement) of `values`.
 * Null when there are too few values to resample meaningfully.
 */
export function bootstrapInterval(
  values: readonly number[],
  statistic: (sample: Float64Array) => number,
  { rounds = 200, level = 0.95, seed = 14 } = {},
): { low: number; high: number } | null {
  if (values.length < 10) return null;
  const random = seededRandom(seed);
  const results: number[] = [];
  // one typed buffer for every round: copied and selected in without boxing
  const sample = new Float64Array(values.length);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < values.length; i++) sample[i] = values[Math.floor(random() * values.length)];
    results.push(statistic(sample));
  }
  results.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { low: results[Math.floor(tail * (rounds - 1))], high: results[Math.ceil((1 - tail) * (rounds - 1))] };
}
