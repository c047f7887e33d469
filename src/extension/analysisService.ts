// The extension side of the analysis worker: starts analyses with progress and cancellation, answers per-line fact
// queries, and caches one analysis per document version for hovers and the status bar.
import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import type { Analysis } from '../core/index';
import { MAX_ANALYSIS_JSON_BYTES, parseAnalysisJson } from './analysisFile';
import type { LineFact } from '../core/index';
import { formatNumber } from '../presentation/format';
import { Channel } from '../shared/rpc';
import {
  isFromWorker,
  transferablesOf,
  type FromWorker,
  type ToWorker,
  type WorkerInput,
} from '../shared/workerMessages';

export interface JobResult {
  job: number;
  analysis: Analysis;
  /** Lines of the first input per hover key, from the analysis pass (null: not asked for, or not trace text). */
  lineCounts: Record<string, number> | null;
}

interface PendingJob {
  resolve(r: JobResult): void;
  reject(e: Error): void;
  onProgress?: (done: number, total: number, path: string) => void;
  onPartial?: PartialListener;
}

/** The analysis so far while the worker reads; `fraction` is 0..1 of the bytes of all inputs. */
export type PartialListener = (analysis: Analysis, fraction: number) => void;

export class CancelledError extends Error {
  /** What was read before the stop, when the worker sent it, and the share of the input it covers (0..1). */
  constructor(
    readonly partial: Analysis | null = null,
    readonly fraction = 0,
  ) {
    super('cancelled');
  }
}

/** Facts queries that take longer than this give up: a hover must stay fast. */
const FACTS_TIMEOUT_MS = 300;

export class AnalysisWorker implements vscode.Disposable {
  private worker: Worker | null = null;
  private channel: Channel<ToWorker, FromWorker> | null = null;
  private nextJob = 1;
  private readonly jobs = new Map<number, PendingJob>();

  constructor(private readonly scriptPath: string) {}

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.scriptPath);
    this.channel = new Channel<ToWorker, FromWorker>({
      // bytes read by the host move to the worker (transferred), they are not copied
      post: (envelope) => w.postMessage(envelope, transferablesOf(envelope.body)),
      accept: isFromWorker,
      onMessage: (m) => this.onMessage(m),
    });
    const channel = this.channel;
    w.on('message', (m: unknown) => channel.receive(m));
    w.on('error', (e) => this.failAll(e instanceof Error ? e : new Error(String(e))));
    w.on('exit', (code) => {
      if (this.worker === w) {
        this.worker = null;
        this.channel = null;
      }
      channel.failPending(new Error('analysis worker stopped'));
      this.failAll(new Error(`analysis worker stopped (exit code ${code})`));
    });
    this.worker = w;
    return w;
  }

  private send(m: ToWorker): void {
    this.ensure();
    this.channel!.send(m);
  }

  private failAll(e: Error): void {
    for (const j of this.jobs.values()) j.reject(e);
    this.jobs.clear();
    this.channel?.failPending(e);
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'progress':
        this.jobs.get(m.job)?.onProgress?.(m.done, m.total, m.path);
        break;
      case 'partial':
        this.jobs.get(m.job)?.onPartial?.(m.analysis, m.total > 0 ? Math.min(1, m.done / m.total) : 0);
        break;
      case 'cancelled': {
        const j = this.jobs.get(m.job);
        this.jobs.delete(m.job);
        j?.reject(new CancelledError(m.analysis, m.total > 0 ? Math.min(1, m.done / m.total) : 0));
        break;
      }
      case 'done': {
        const j = this.jobs.get(m.job);
        this.jobs.delete(m.job);
        j?.resolve({ job: m.job, analysis: m.analysis, lineCounts: m.lineCounts });
        break;
      }
      case 'failed': {
        const j = this.jobs.get(m.job);
        this.jobs.delete(m.job);
        j?.reject(m.message === 'cancelled' ? new CancelledError() : new Error(m.message));
        break;
      }
      case 'facts': // replies reach the request that asked (Channel.request)
        break;
    }
  }

  /** Analyses the inputs as one run. Bytes inputs are handed over: their buffers are unusable here afterwards. */
  analyze(
    inputs: WorkerInput[],
    options: {
      countLines?: boolean;
      token?: vscode.CancellationToken;
      onProgress?: PendingJob['onProgress'];
      onPartial?: PartialListener;
    } = {},
  ): Promise<JobResult> {
    const job = this.nextJob++;
    return new Promise<JobResult>((resolve, reject) => {
      const { onProgress, onPartial } = options;
      this.jobs.set(job, { resolve, reject, onProgress, onPartial });
      options.token?.onCancellationRequested(() => this.send({ type: 'cancel', job }));
      this.send({ type: 'analyze', job, inputs, countLines: options.countLines ?? false });
    });
  }

  /** Facts for lines of a finished job; empty facts when the worker is slow or gone. */
  lineFacts(job: number, lines: number[]): Promise<(LineFact | null)[]> {
    const none = () => lines.map(() => null);
    if (!this.worker || !this.channel) return Promise.resolve(none());
    return this.channel
      .request({ type: 'facts', job, lines }, FACTS_TIMEOUT_MS)
      .then((reply) => (reply.type === 'facts' ? reply.facts : none()), none);
  }

  release(job: number): void {
    if (this.worker) this.send({ type: 'release', job });
  }

  dispose(): void {
    const w = this.worker;
    this.worker = null;
    this.failAll(new Error('extension stopped'));
    void w?.terminate();
  }
}

/** Runs an analysis with a progress notification that has a Cancel button. */
export function analyzeWithProgress(
  worker: AnalysisWorker,
  inputs: WorkerInput[],
  title: string,
  location: vscode.ProgressLocation = vscode.ProgressLocation.Notification,
  countLines = false,
  onPartial?: PartialListener,
): Promise<JobResult> {
  return Promise.resolve(
    vscode.window.withProgress({ location, title, cancellable: true }, (progress, token) => {
      let lastPct = 0;
      return worker.analyze(inputs, {
        token,
        countLines,
        onPartial,
        onProgress: (done, total, path) => {
          const pct = total > 0 ? Math.floor((done / total) * 100) : 0;
          progress.report({
            message: `${path.split(/[\\/]/).pop()} ${pct}%`,
            increment: Math.max(0, pct - lastPct) / inputs.length,
          });
          lastPct = pct;
        },
      });
    }),
  );
}

/** Files of a non-file scheme bigger than this are read into memory with a warning (vscode.workspace.fs has no
 * ranged reads, so they cannot be streamed). */
export const LARGE_IN_MEMORY_BYTES = 512 * 1024 * 1024;

/** The bytes of a Uint8Array as an ArrayBuffer of their own, to transfer (a view into a larger buffer is copied). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole && bytes.buffer instanceof ArrayBuffer ? bytes.buffer : bytes.slice().buffer;
}

/** What the worker reads for a file: a local file by its path, anything else (remote, virtual) through workspace.fs. */
export async function uriInput(uri: vscode.Uri): Promise<WorkerInput> {
  if (uri.scheme === 'file') return { kind: 'path', path: uri.fsPath };
  const { size } = await vscode.workspace.fs.stat(uri);
  if (size > LARGE_IN_MEMORY_BYTES) {
    const what = `the ${formatNumber(Math.round(size / 2 ** 20))} MiB ${uri.scheme}: file ${uri.path.split('/').pop()}`;
    void vscode.window.showWarningMessage(
      `KVM Trace Lens: reading ${what} into memory (this file system cannot be streamed); a local copy reads faster.`,
    );
  }
  return { kind: 'bytes', name: uri.toString(true), bytes: ownBuffer(await vscode.workspace.fs.readFile(uri)) };
}

/** What the worker reads for an editor document: its saved local file, else the text in the editor (no temp file). */
export function documentInput(doc: vscode.TextDocument): WorkerInput {
  if (doc.uri.scheme === 'file' && !doc.isDirty && !doc.isUntitled) return { kind: 'path', path: doc.uri.fsPath };
  const name = doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.toString(true);
  return { kind: 'bytes', name, bytes: ownBuffer(new TextEncoder().encode(doc.getText())) };
}

/** Reads a saved analysis (any file system) when the file is one (small .json with the schema), else null. */
export async function readAnalysisFile(uri: vscode.Uri): Promise<Analysis | null> {
  if (!uri.path.toLowerCase().endsWith('.json')) return null;
  try {
    const st = await vscode.workspace.fs.stat(uri);
    if (st.size > MAX_ANALYSIS_JSON_BYTES) return null;
    return parseAnalysisJson(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  } catch {
    return null;
  }
}

export interface DocumentAnalysis {
  version: number;
  job: number;
  analysis: Analysis;
  lineCounts: Record<string, number> | null;
}

interface DocumentEntry {
  version: number;
  promise: Promise<DocumentAnalysis>;
  result?: DocumentAnalysis;
  error?: string;
  /** Who wants the analysis so far (an open panel); cleared when the analysis ends. */
  listeners: Set<PartialListener>;
  /** The latest partial, handed at once to a listener that joins late. */
  latest?: { analysis: Analysis; fraction: number };
}

/** One analysis per open document version, made on demand (hover, status bar, command) and dropped on change/close. */
export class DocumentAnalyses implements vscode.Disposable {
  private readonly entries = new Map<string, DocumentEntry>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly worker: AnalysisWorker) {
    this.subscriptions.push(
      vscode.workspace.onDidCloseTextDocument((d) => this.drop(d.uri.toString())),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.drop(e.document.uri.toString());
      }),
    );
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    e.listeners.clear();
    if (e.result) this.worker.release(e.result.job);
  }

  /** The finished analysis of this version, if there is one (never waits). */
  peek(doc: vscode.TextDocument): { result?: DocumentAnalysis; error?: string; pending: boolean } {
    const e = this.entries.get(doc.uri.toString());
    if (!e || e.version !== doc.version) return { pending: false };
    return { result: e.result, error: e.error, pending: !e.result && !e.error };
  }

  /**
   * Starts (or returns) the analysis of this document version. `onPartial` gets the analysis so far while it runs,
   * also when it joins an analysis that was already under way (the status bar or a hover started it).
   */
  get(
    doc: vscode.TextDocument,
    location = vscode.ProgressLocation.Window,
    onPartial?: PartialListener,
  ): Promise<DocumentAnalysis> {
    const key = doc.uri.toString();
    const existing = this.entries.get(key);
    if (existing && existing.version === doc.version && !existing.error) {
      if (onPartial && !existing.result) {
        existing.listeners.add(onPartial);
        if (existing.latest) onPartial(existing.latest.analysis, existing.latest.fraction);
      }
      return existing.promise;
    }
    this.drop(key);
    const version = doc.version;
    const entry: DocumentEntry = {
      version,
      promise: Promise.resolve(null as unknown as DocumentAnalysis),
      listeners: new Set(onPartial ? [onPartial] : []),
    };
    const forward: PartialListener = (analysis, fraction) => {
      entry.latest = { analysis, fraction };
      for (const l of entry.listeners) l(analysis, fraction);
    };
    entry.promise = (async () => {
      try {
        const title = `Analysing ${doc.uri.path.split('/').pop()}`;
        const r = await analyzeWithProgress(this.worker, [documentInput(doc)], title, location, true, forward);
        const result: DocumentAnalysis = { version, job: r.job, analysis: r.analysis, lineCounts: r.lineCounts };
        entry.result = result;
        this.changed.fire(doc.uri);
        return result;
      } catch (e) {
        entry.error = e instanceof Error ? e.message : String(e);
        this.changed.fire(doc.uri);
        throw e;
      } finally {
        entry.listeners.clear();
        entry.latest = undefined;
      }
    })();
    entry.promise.catch(() => {});
    this.entries.set(key, entry);
    return entry.promise;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
