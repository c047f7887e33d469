// The one request/reply helper: two channels wired back to back, as host and worker (or webview) are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, RequestTimeout, type Envelope } from '../../src/shared/rpc';

type Ask = { type: 'double'; n: number } | { type: 'note'; text: string };
type Answer = { type: 'doubled'; n: number };
const isAsk = (b: unknown): b is Ask =>
  typeof b === 'object' && b !== null && ((b as Ask).type === 'double' || (b as Ask).type === 'note');
const isAnswer = (b: unknown): b is Answer => typeof b === 'object' && b !== null && (b as Answer).type === 'doubled';

function pair(onAsk: (a: Ask) => Answer | undefined) {
  const wire: Envelope[] = [];
  let server: Channel<Answer, Ask> | null = null;
  const client = new Channel<Ask, Answer>({ post: (e) => server!.receive(e), accept: isAnswer });
  server = new Channel<Answer, Ask>({
    post: (e) => {
      wire.push(e);
      client.receive(e);
    },
    accept: isAsk,
    onMessage: onAsk,
  });
  return { client, server, wire };
}

test('a request gets the reply that names it; events get none', async () => {
  const notes: string[] = [];
  const { client, wire } = pair((a) =>
    a.type === 'double' ? { type: 'doubled', n: a.n * 2 } : void notes.push(a.text),
  );
  const [r1, r2] = await Promise.all([
    client.request({ type: 'double', n: 21 }),
    client.request({ type: 'double', n: 4 }),
  ]);
  assert.deepEqual([r1.n, r2.n], [42, 8]);
  client.send({ type: 'note', text: 'hi' });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(notes, ['hi']);
  assert.equal(wire.length, 2, 'only the two requests were answered');
  assert.deepEqual(
    wire.map((e) => e.inReplyTo),
    [1, 2],
  );
});

test('malformed messages are dropped; a request without a reply times out; pending requests fail on stop', async () => {
  let seen = 0;
  const { client, server } = pair(() => {
    seen++;
    return undefined;
  });
  server.receive({ id: 1, body: { type: 'rm -rf' } });
  server.receive({ body: { type: 'double', n: 1 } });
  server.receive('double');
  await new Promise((r) => setImmediate(r));
  assert.equal(seen, 0);
  await assert.rejects(client.request({ type: 'double', n: 1 }, 20), RequestTimeout);
  const waiting = client.request({ type: 'double', n: 1 });
  client.failPending(new Error('worker stopped'));
  await assert.rejects(waiting, /worker stopped/);
});
