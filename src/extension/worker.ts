// The analysis worker (dist/worker.js): runs the core off the extension host's thread, one job at a time per message,
// keeps each finished job's per-line facts for hovers until released, and cancels on request.
import { parentPort } from 'node:worker_threads';
import { analyzeRunDetailed, explainTraceLine, isTraceTextFormat } from '../core/index';
import type { InputSource, LineFacts } from '../core/index';
import { lineKey } from '../presentation/hoverText';
import { Channel } from '../shared/rpc';
import { isToWorker, type FromWorker, type ToWorker, type WorkerInput } from '../shared/workerMessages';

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

/** The hover key of a trace-text line: what the "N like it in this file" of a hover counts. */
function hoverKey(text: string): string | null {
  return lineKey(explainTraceLine(text), text);
}

/** A path stays a path (run folders, halt-poll stats files are expanded by the core); bytes are read in memory. */
function toInputSource(input: WorkerInput): InputSource {
  return input.kind === 'path' ? input.path : { kind: 'bytes', name: input.name, bytes: new Uint8Array(input.bytes) };
}

async function analyze(job: number, inputs: WorkerInput[], countLines: boolean): Promise<void> {
  const controller = new AbortController();
  running.set(job, controller);
  // progress is per file; partials report bytes over all inputs, so earlier files' sizes are added up
  const sizes = new Map<string, number>();
  let done = 0;
  let total = 0;
  try {
    const { analysis, lineFacts, lineCounts } = await analyzeRunDetailed(inputs.map(toInputSource), {
      signal: controller.signal,
      partialEveryMs: PARTIAL_EVERY_MS,
      lineCountKey: countLines ? hoverKey : undefined,
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
    const traceText = isTraceTextFormat(analysis.inputs[0]?.format);
    post({ type: 'done', job, analysis, lineCounts: traceText ? lineCounts : null });
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
      void analyze(m.job, m.inputs, m.countLines);
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
