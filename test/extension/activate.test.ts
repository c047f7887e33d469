// activate() wires every feature: the six contract command ids, both panel serializers, the trace.dat editor, hovers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installFakeVscode, registered } from './fakeVscode';
import { REPO } from '../helpers/paths';

test('activate registers every command of package.json, the panels and the trace.dat editor', async () => {
  installFakeVscode();
  const { activate } = await import('../../src/extension/extension');
  const subscriptions: { dispose(): void }[] = [];
  activate({ subscriptions, extensionUri: { fsPath: REPO } } as never);
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  const declared = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual([...registered.commands].sort(), declared);
  assert.deepEqual(registered.serializers, ['kvmTraceLens.analysis', 'kvmTraceLens.compare']);
  assert.deepEqual(registered.editors, ['kvmTraceLens.traceDat']);
  assert.equal(registered.hovers, 1);
  for (const s of subscriptions) s.dispose();
});
