// A stand-in for dist/worker.js with a scripted conversation, so the host side of partial results is tested exactly.
// analyze inputs[0].path names the script: "partials" → two partials, one malformed partial, then done; "cancel" → one
// partial, then waits for 'cancel' and answers with the analysis read so far.
import { parentPort } from 'node:worker_threads';

const analysis = (exits) => ({
  schema: 'kvm-trace-lens/analysis@1',
  inputs: [],
  exits: { total: exits, byReason: [] },
  recommendations: [],
});
const waiting = new Map();
// Every message travels in an envelope (src/shared/rpc.ts); this script sends no requests, so ids just count.
let nextId = 1;
const post = (body) => parentPort.postMessage({ id: nextId++, body });

parentPort.on('message', async (envelope) => {
  const m = envelope.body;
  if (m.type === 'analyze') {
    const job = m.job;
    const tick = () => new Promise((r) => setTimeout(r, 20));
    if (m.inputs[0].path === 'partials') {
      post({ type: 'partial', job, analysis: analysis(100), done: 25, total: 100 });
      await tick();
      post({ type: 'partial', job, analysis: { broken: true }, done: 50, total: 100 }); // dropped
      post({ type: 'partial', job, analysis: analysis(200), done: 'half', total: 100 }); // dropped
      post({ type: 'partial', job, analysis: analysis(300), done: 75, total: 100 });
      await tick();
      post({ type: 'done', job, analysis: analysis(400), lineCounts: null });
    } else if (m.inputs[0].path === 'cancel') {
      post({ type: 'partial', job, analysis: analysis(10), done: 10, total: 100 });
      waiting.set(job, true);
    }
  } else if (m.type === 'cancel' && waiting.has(m.job)) {
    waiting.delete(m.job);
    post({ type: 'cancelled', job: m.job, analysis: analysis(33), done: 33, total: 100 });
  }
});
