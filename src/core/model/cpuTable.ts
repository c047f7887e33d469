// State per CPU or vCPU, looked up on every event: numbers 0..DENSE-1 (every real CPU) index an array, any other
// number (a garbage payload's) goes to a map. Cheaper per event than a Map's hashing, deleted entries and rehashing.

const DENSE = 4096;

export class CpuTable<T> {
  /** Packed (no holes): grown with `undefined` up to the highest CPU set. */
  private readonly dense: (T | undefined)[] = [];
  private readonly sparse = new Map<number, T>();

  get(n: number): T | undefined {
    if (isDense(n)) return n < this.dense.length ? this.dense[n] : undefined;
    return this.sparse.get(n);
  }

  has(n: number): boolean {
    return this.get(n) !== undefined;
  }

  set(n: number, value: T): void {
    if (!isDense(n)) {
      this.sparse.set(n, value);
      return;
    }
    while (this.dense.length <= n) this.dense.push(undefined);
    this.dense[n] = value;
  }

  delete(n: number): void {
    if (!isDense(n)) this.sparse.delete(n);
    else if (n < this.dense.length) this.dense[n] = undefined;
  }

  /** Every entry: the array's in CPU order, then the map's in the order set (sort them where order matters). */
  *entries(): IterableIterator<[number, T]> {
    for (let n = 0; n < this.dense.length; n++) {
      const value = this.dense[n];
      if (value !== undefined) yield [n, value];
    }
    yield* this.sparse;
  }
}

function isDense(n: number): boolean {
  // a whole number 0 .. 2^32-1 is its own unsigned 32-bit value (-0 too: it is 0 here, as in a Map)
  return n >>> 0 === n && n < DENSE;
}
