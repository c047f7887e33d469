// Rows written into objects made once and overwritten from then on: the transaction sketch builds ~64,000
// transactions per million events and keeps about 160, so each transaction's spans, exits and arrows are written into
// reused rows and only a kept transaction is copied out. No allocation per row once the pool has grown.

export class RowPool<T> {
  private readonly rows: T[] = [];
  /** Scratch for reordering (kept to reuse its storage). */
  private readonly moved: T[] = [];
  /** Rows in use: 0 .. count-1. */
  count = 0;

  constructor(private readonly make: () => T) {}

  /** The next row, to be filled: a reused row holds the values of an earlier use, so every field must be written. */
  push(): T {
    if (this.count === this.rows.length) this.rows.push(this.make());
    return this.rows[this.count++];
  }

  at(i: number): T {
    return this.rows[i];
  }

  clear(): void {
    this.count = 0;
  }

  /** Reorders the rows stably: those `moves` picks after the others, each group in its order; returns how many stay. */
  partition(moves: (row: T) => boolean): number {
    const rows = this.rows;
    const moved = this.moved;
    let stay = 0;
    let movedCount = 0;
    for (let i = 0; i < this.count; i++) {
      const row = rows[i];
      if (moves(row)) moved[movedCount++] = row;
      else rows[stay++] = row;
    }
    for (let i = 0; i < movedCount; i++) rows[stay + i] = moved[i];
    return stay;
  }

  /** Drops the first `n` rows: the others move to the front, in order (the dropped ones go back to the pool). */
  dropFront(n: number): void {
    if (n >= this.count) {
      this.count = 0; // all dropped: no order to keep
      return;
    }
    if (n <= 0) return;
    const rows = this.rows;
    const dropped = this.moved;
    for (let i = 0; i < n; i++) dropped[i] = rows[i];
    const kept = this.count - n;
    for (let i = 0; i < kept; i++) rows[i] = rows[n + i];
    for (let i = 0; i < n; i++) rows[kept + i] = dropped[i];
    this.count = kept;
  }
}
