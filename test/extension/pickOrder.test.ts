// Compare Runs: the baseline is the run picked first, whatever the list order (VS Code lists runs newest first and
// reports a multi-select in list order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inClickOrder } from '../../src/extension/pickOrder';

/** Replays selections as VS Code reports them (list order) and returns the click order after each. */
function replay<T>(list: readonly T[], selections: T[][]): T[] {
  let order: T[] = [];
  for (const s of selections)
    order = inClickOrder(
      order,
      [...s].sort((a, b) => list.indexOf(a) - list.indexOf(b)),
    );
  return order;
}

test('the run clicked first stays first though the list shows it second (walkthrough: polling off, then on)', () => {
  const list = ['poll200000 (newest)', 'poll0'];
  assert.deepEqual(replay(list, [['poll0'], ['poll0', 'poll200000 (newest)']]), ['poll0', 'poll200000 (newest)']);
  assert.deepEqual(replay(list, [['poll200000 (newest)'], list]), list);
});

test('unticking a run drops it and keeps the others in click order; ticking it again puts it last', () => {
  const list = ['a', 'b', 'c'];
  assert.deepEqual(replay(list, [['c'], ['a', 'c'], ['a', 'b', 'c'], ['a', 'b']]), ['a', 'b']);
  assert.deepEqual(replay(list, [['c'], ['b', 'c'], ['b'], ['b', 'c']]), ['b', 'c']);
  assert.deepEqual(replay(list, [['b'], []]), []);
});

test('several ticked at once (select all) keep the list order after those clicked before', () => {
  assert.deepEqual(replay(['a', 'b', 'c'], [['c'], ['a', 'b', 'c']]), ['c', 'a', 'b']);
});
