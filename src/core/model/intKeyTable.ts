// A map from task ids (pids) to values, looked up several times per scheduler event: pids are sparse (thousands
// apart), so not an array index, and a Map's hashing of each number costs more than this open-addressing table on a
// typed array (linear probing, deletion by shifting back: no tombstones). Whole numbers that fit in 32 bits go to the
// table; any other number (a garbage payload's) to a Map. Answers as a Map does, but is never iterated.

const FIRST_CAPACITY = 64;

export class IntKeyTable<T> {
  private keys = new Int32Array(FIRST_CAPACITY);
  private used = new Uint8Array(FIRST_CAPACITY);
  private values: (T | undefined)[] = new Array<T | undefined>(FIRST_CAPACITY).fill(undefined);
  private mask = FIRST_CAPACITY - 1;
  /** 32 - log2(capacity): the hash's top bits index the table. */
  private shift = 32 - Math.log2(FIRST_CAPACITY);
  private count = 0;
  private readonly other = new Map<number, T>();

  get size(): number {
    return this.count + this.other.size;
  }

  get(key: number): T | undefined {
    if ((key | 0) !== key) return this.other.get(key);
    const i = this.slotOf(key);
    return i < 0 ? undefined : this.values[i];
  }

  has(key: number): boolean {
    if ((key | 0) !== key) return this.other.has(key);
    return this.slotOf(key) >= 0;
  }

  set(key: number, value: T): void {
    if ((key | 0) !== key) {
      this.other.set(key, value);
      return;
    }
    let i = home(key, this.shift);
    while (this.used[i] === 1) {
      if (this.keys[i] === key) {
        this.values[i] = value;
        return;
      }
      i = (i + 1) & this.mask;
    }
    this.used[i] = 1;
    this.keys[i] = key;
    this.values[i] = value;
    // at most half full: short probes
    if (++this.count * 2 > this.keys.length) this.grow();
  }

  delete(key: number): boolean {
    if ((key | 0) !== key) return this.other.delete(key);
    const slot = this.slotOf(key);
    if (slot < 0) return false;
    this.deleteAt(slot);
    return true;
  }

  /** get(key) then delete(key), with one search. */
  take(key: number): T | undefined {
    if ((key | 0) !== key) {
      const value = this.other.get(key);
      this.other.delete(key);
      return value;
    }
    const slot = this.slotOf(key);
    if (slot < 0) return undefined;
    const value = this.values[slot];
    this.deleteAt(slot);
    return value;
  }

  private deleteAt(slot: number): void {
    let hole = slot;
    this.count--;
    // Shift back the entries after the hole that would no longer be found past it.
    const mask = this.mask;
    let j = hole;
    for (;;) {
      j = (j + 1) & mask;
      if (this.used[j] === 0) break;
      const want = home(this.keys[j], this.shift);
      // the entry at j stays if its home lies cyclically in (hole, j]
      const stays = hole <= j ? hole < want && want <= j : hole < want || want <= j;
      if (stays) continue;
      this.keys[hole] = this.keys[j];
      this.values[hole] = this.values[j];
      hole = j;
    }
    this.used[hole] = 0;
    this.values[hole] = undefined;
  }

  private slotOf(key: number): number {
    let i = home(key, this.shift);
    while (this.used[i] === 1) {
      if (this.keys[i] === key) return i;
      i = (i + 1) & this.mask;
    }
    return -1;
  }

  private grow(): void {
    const { keys, used, values } = this;
    const capacity = keys.length * 2;
    this.keys = new Int32Array(capacity);
    this.used = new Uint8Array(capacity);
    this.values = new Array<T | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.shift--;
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (used[i] === 1) this.set(keys[i], values[i] as T);
  }
}

/** Fibonacci hashing (the product's top bits): consecutive pids land far apart. */
function home(key: number, shift: number): number {
  return Math.imul(key, 0x9e3779b1) >>> shift;
}
