// Partial results while reading, and cancel: what a user sees on a long analysis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFiles } from '../../../src/core/analyze';
import type { Analysis } from '../../../src/core/analysisTypes';
import { sample } from '../../helpers/paths';

test('partial analyses arrive while reading and grow towards the final one', async () => {
  const partials: Analysis[] = [];
  const final = await analyzeFiles([sample('guest-trace', 'tcprr-cross-poll0.dat')], {
    onPartial: (a) => partials.push(a),
    partialEveryMs: 0,
  });
  assert.ok(partials.length >= 1, 'at least one partial result');
  const totals = partials.map((p) => p.exits?.total ?? 0);
  assert.ok(
    totals.every((t, i) => i === 0 || t >= totals[i - 1]),
    `partials grow: ${totals.join(', ')}`,
  );
  assert.ok(totals[0] < final.exits!.total, 'the first partial is before the end');
});

test('cancel stops reading, keeps what was read and says so', async () => {
  const controller = new AbortController();
  const a = await analyzeFiles([sample('guest-trace', 'tcprr-cross-poll0.dat')], {
    signal: controller.signal,
    partialEveryMs: 0,
    onPartial: () => controller.abort(),
  });
  assert.ok(a.inputs[0].records > 0, 'records before the cancel are kept');
  assert.ok(a.inputs[0].records < 256254, 'not everything was read');
  assert.ok(
    a.inputs[0].warnings.some((w) => /cancel|abort/i.test(w.message)),
    JSON.stringify(a.inputs[0].warnings),
  );
});
