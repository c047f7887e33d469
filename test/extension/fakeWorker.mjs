// A stand-in for dist/worker.js with a scripted conversation, so the host side of partial results is tested exactly.
// analyze paths[0] names the script: "partials" → two partials, one malformed partial, then done; "cancel" → one
// partial, then waits for 'cancel' and answers with the analysis read so far.
import { parentPort } from 'node:worker_threads';

const analysis = (exits) => ({ schema: 'kvm-trace-lens/analysis@1', inputs: [], exits: { total: exits, byReason: [] }, recommendations: [] });
const waiting = new Map();

parentPort.on('message', async (m) => {
  if (m.type === 'analyze') {
    const job = m.job;
    const tick = () => new Promise((r) => setTimeout(r, 20));
    if (m.paths[0] === 'partials') {
      parentPort.postMessage({ type: 'partial', job, analysis: analysis(100), done: 25, total: 100 });
      await tick();
      parentPort.postMessage({ type: 'partial', job, analysis: { broken: true }, done: 50, total: 100 }); // dropped
      parentPort.postMessage({ type: 'partial', job, analysis: analysis(200), done: 'half', total: 100 }); // dropped
      parentPort.postMessage({ type: 'partial', job, analysis: analysis(300), done: 75, total: 100 });
      await tick();
      parentPort.postMessage({ type: 'done', job, analysis: analysis(400) });
    } else if (m.paths[0] === 'cancel') {
      parentPort.postMessage({ type: 'partial', job, analysis: analysis(10), done: 10, total: 100 });
      waiting.set(job, true);
    }
  } else if (m.type === 'cancel' && waiting.has(m.job)) {
    waiting.delete(m.job);
    parentPort.postMessage({ type: 'cancelled', job: m.job, analysis: analysis(33), done: 33, total: 100 });
  }
});
