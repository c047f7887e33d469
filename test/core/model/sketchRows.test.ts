// The sketch's reused rows: the pool reorders and drops rows as array filters would, and an exit written into a row
// is found by its number wherever it is — still being built, carried into the next transaction, copied into a kept
// one — and not at all once dropped, so later changes (a halt's end, the model's verdict) land as on plain objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RowPool } from '../../../src/core/model/rowPool';
import { TransactionRows } from '../../../src/core/model/sketchRows';

test('pool: partition and dropFront give what filter gives, rows are reused, not made again', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 60 }),
      fc.integer({ min: 0, max: 99 }),
      (xs, cut) => {
        const pool = new RowPool(() => ({ v: 0 }));
        for (const x of xs) pool.push().v = x;
        const rows = () => Array.from({ length: pool.count }, (_, i) => pool.at(i).v);
        const made = new Set(Array.from({ length: pool.count }, (_, i) => pool.at(i)));
        const stay = pool.partition((r) => r.v >= cut);
        assert.equal(stay, xs.filter((x) => x < cut).length);
        assert.deepEqual(rows(), [...xs.filter((x) => x < cut), ...xs.filter((x) => x >= cut)]);
        pool.dropFront(stay);
        assert.deepEqual(
          rows(),
          xs.filter((x) => x >= cut),
        );
        // the dropped rows come back before any new row is made
        for (let i = pool.count; i < xs.length; i++) assert.ok(made.has(pool.push()));
      },
    ),
    { numRuns: 300 },
  );
});

test('pool: clear, and dropFront of more rows than there are', () => {
  const pool = new RowPool(() => ({ v: 0 }));
  pool.push().v = 1;
  pool.push().v = 2;
  pool.dropFront(5);
  assert.equal(pool.count, 0);
  pool.push().v = 3;
  pool.clear();
  assert.equal(pool.count, 0);
  assert.equal(pool.push().v, 3, 'a reused row holds its old values until written');
});

function exitAt(rows: TransactionRows, atNs: number, verdict: { handle: number; critical: boolean | null } | null) {
  const e = rows.addExit(verdict);
  e.unit = 0;
  e.atNs = atNs;
  e.durationNs = null;
  e.reason = 'hlt';
  e.category = 'halt';
  e.line = null;
  return e.seq;
}

test('exits are found by seq in the transaction, carried over a boundary, kept, and not once dropped', () => {
  const rows = new TransactionRows();
  rows.startAt(1000, null, () => assert.fail('no transaction before the first'));
  const a = exitAt(rows, 100, null); // at 1100
  const b = exitAt(rows, 500, { handle: 7, critical: null }); // at 1500, open verdict
  const c = exitAt(rows, 900, { handle: 8, critical: null }); // at 1900
  assert.deepEqual([a, b, c], [0, 1, 2]);
  assert.equal(rows.exitBySeq(b)!.atNs, 500);
  assert.equal(rows.exitBySeq(-1), undefined);
  // A boundary at 1500: b and c belong to the next transaction (shifted to its start); a stays and is dropped.
  let stayed = -1;
  rows.startAt(1500, 1000, (stay) => (stayed = stay));
  assert.equal(stayed, 1);
  assert.equal(rows.exitBySeq(a), undefined, 'dropped with its transaction');
  assert.equal(rows.exitBySeq(b)!.atNs, 0);
  assert.equal(rows.exitBySeq(c)!.atNs, 400);
  const d = exitAt(rows, 600, null);
  assert.equal(rows.exitBySeq(d)!.atNs, 600, 'a new exit after carried ones');
  rows.verdict(7, true);
  assert.equal(rows.exitBySeq(b)!.critical, true);
  // The next boundary keeps this transaction: its exits live on in the copy, changes reach the copy.
  let kept = null as ReturnType<TransactionRows['keep']> | null;
  rows.startAt(3000, 1500, (stay) => (kept = rows.keep(1, 1500, 3000, stay)));
  assert.deepEqual(
    kept!.exits.map((e) => [e.seq, e.atNs]),
    [
      [b, 0],
      [c, 400],
      [d, 600],
    ],
  );
  rows.exitBySeq(c)!.durationNs = 1234; // a halt that ends later
  rows.verdict(8, false);
  assert.equal(kept!.exits[1].durationNs, 1234);
  assert.equal(kept!.exits[1].critical, false);
  // Forgotten (replaced in the sample): no longer found, verdicts no longer land.
  rows.forget(kept!);
  assert.equal(rows.exitBySeq(c), undefined);
  rows.verdict(8, true);
  assert.equal(kept!.exits[1].critical, false);
});

test('a dropped exit’s verdict handle is forgotten: a row reused for a new exit is not changed by it', () => {
  const rows = new TransactionRows();
  rows.startAt(0, null, () => {});
  exitAt(rows, 10, { handle: 5, critical: null });
  rows.startAt(100, 0, () => {}); // not kept: the row goes back to the pool
  const fresh = exitAt(rows, 10, null);
  rows.verdict(5, true);
  assert.equal(rows.exitBySeq(fresh)!.critical, null);
});
