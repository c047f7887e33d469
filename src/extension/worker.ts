// The analysis worker (dist/worker.js): runs the core off the extension host's thread, one job at a time per message,
// keeps each finished job's per-line facts for hovers until released, and cancels on request.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { parentPort } from 'node:worker_threads';
import { analyzeFilesDetailed } from '../core/index';
import { explainTraceLine } from '../core/index';
import type { LineFacts } from '../core/index';
import { LineSplitter } from '../core/index';
import { lineKey } from '../presentation/hoverText';
import { Channel } from '../shared/rpc';
import { isToWorker, type FromWorker, type ToWorker } from '../shared/workerMessages';

const TRACE_TEXT_FORMATS = new Set(['trace-cmd-report', 'ftrace', 'perf-script']);
/** Distinct keys counted; a pathological file must not grow the map without bound. */
const MAX_KEYS = 10_000;
/** How often an analysis in progress is sent to the host (each one is a snapshot of the model plus a message copy). */
const PARTIAL_EVERY_MS = 500;

const running = new Map<number, AbortController>();
const facts = new Map<number, LineFacts>();

const host = new Channel<FromWorker, ToWorker>({
  post: (envelope) => parentPort!.postMessage(envelope),
  accept: isToWorker,
  onMessage: handle,
});

function post(m: FromWorker): void {
  host.send(m);
}

/** Counts lines per hover key in one trace text file (plain or gzip), streaming. */
async function countLines(path: string, signal: AbortSignal): Promise<Record<string, number>> {
  const counts = new Map<string, number>();
  const splitter = new LineSplitter((text) => {
    const key = lineKey(explainTraceLine(text), text);
    if (key === null) return;
    if (counts.has(key) || counts.size < MAX_KEYS) counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  const head = await new Promise<Buffer>((resolve, reject) => {
    const s = createReadStream(path, { start: 0, end: 1 });
    const parts: Buffer[] = [];
    s.on('data', (c) => parts.push(c as Buffer)).on('end', () => resolve(Buffer.concat(parts))).on('error', reject);
  });
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const source = head[0] === 0x1f && head[1] === 0x8b ? file.pipe(createGunzip()) : file;
  try {
    for await (const chunk of source) {
      if (signal.aborted) break;
      splitter.push(chunk as Buffer);
    }
  } finally {
    file.destroy();
  }
  splitter.end();
  return Object.fromEntries(counts);
}

async function analyze(job: number, paths: string[], wantCounts: boolean): Promise<void> {
  const controller = new AbortController();
  running.set(job, controller);
  // progress is per file; partials report bytes over all inputs, so earlier files' sizes are added up
  const sizes = new Map<string, number>();
  let done = 0;
  let total = 0;
  try {
    const { analysis, lineFacts } = await analyzeFilesDetailed(paths, {
      signal: controller.signal,
      partialEveryMs: PARTIAL_EVERY_MS,
      onProgress: (fileDone, fileTotal, path) => {
        // the reader reports the whole file as done when it stops early; the share read is what it had before
        if (controller.signal.aborted) return;
        sizes.set(path, fileTotal);
        const before = [...sizes.entries()].filter(([p]) => p !== path).reduce((n, [, s]) => n + s, 0);
        done = before + fileDone;
        total = Math.max(before + fileTotal, done);
        post({ type: 'progress', job, done: fileDone, total: fileTotal, path });
      },
      onPartial: (partial) => {
        if (!controller.signal.aborted) post({ type: 'partial', job, analysis: partial, done, total });
      },
    });
    if (controller.signal.aborted) {
      // what was read before the stop: the host shows it, labelled as partial
      post({ type: 'cancelled', job, analysis, done, total });
      return;
    }
    facts.set(job, lineFacts);
    post({ type: 'done', job, analysis });
    const first = analysis.inputs[0];
    if (wantCounts && first?.format && TRACE_TEXT_FORMATS.has(first.format)) {
      post({ type: 'counts', job, lineCounts: await countLines(paths[0], controller.signal) });
    }
  } catch (e) {
    post({ type: 'failed', job, message: e instanceof Error ? e.message : String(e) });
  } finally {
    running.delete(job);
  }
}

/** One message from the host; a 'facts' request is answered through the channel. */
function handle(m: ToWorker): FromWorker | undefined {
  switch (m.type) {
    case 'analyze':
      void analyze(m.job, m.paths, m.countLines);
      return undefined;
    case 'cancel':
      running.get(m.job)?.abort();
      return undefined;
    case 'facts': {
      const f = facts.get(m.job);
      return { type: 'facts', facts: m.lines.map((l) => (f ? f.get(l) : null)) };
    }
    case 'release':
      facts.delete(m.job);
      return undefined;
  }
}

parentPort!.on('message', (raw: unknown) => host.receive(raw));
