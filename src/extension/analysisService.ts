// The extension side of the analysis worker: starts analyses with progress and cancellation, answers per-line fact
// queries, and caches one analysis per document version for hovers and the status bar.
import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Analysis } from '../core/index';
import type { LineFact } from '../core/index';
import { Channel } from '../shared/rpc';
import { isFromWorker, type FromWorker, type ToWorker } from '../shared/workerMessages';

export interface JobResult {
  job: number;
  analysis: Analysis;
  /** Resolves with the per-key line counts of the first input (empty when not a trace text). */
  lineCounts: Promise<Record<string, number>>;
}

interface PendingJob {
  resolve(r: JobResult): void;
  reject(e: Error): void;
  onProgress?: (done: number, total: number, path: string) => void;
  onPartial?: PartialListener;
  /** Whether the worker will send a 'counts' message after 'done'. */
  countLines: boolean;
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
  private readonly counts = new Map<number, (c: Record<string, number>) => void>();

  constructor(private readonly scriptPath: string) {}

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.scriptPath);
    this.channel = new Channel<ToWorker, FromWorker>({
      post: (envelope) => w.postMessage(envelope),
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
    for (const c of this.counts.values()) c({});
    this.counts.clear();
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
        if (!j) break;
        // the worker counts lines only when asked to and only for trace text; otherwise there is nothing to wait for
        const first = m.analysis.inputs[0]?.format;
        const traceText = first === 'trace-cmd-report' || first === 'ftrace' || first === 'perf-script';
        const willCount = j.countLines && traceText;
        const lineCounts = willCount
          ? new Promise<Record<string, number>>((resolve) => this.counts.set(m.job, resolve))
          : Promise.resolve<Record<string, number>>({});
        j.resolve({ job: m.job, analysis: m.analysis, lineCounts });
        break;
      }
      case 'counts':
        this.counts.get(m.job)?.(m.lineCounts);
        this.counts.delete(m.job);
        break;
      case 'failed': {
        const j = this.jobs.get(m.job);
        this.jobs.delete(m.job);
        this.counts.get(m.job)?.({});
        this.counts.delete(m.job);
        j?.reject(m.message === 'cancelled' ? new CancelledError() : new Error(m.message));
        break;
      }
      case 'facts': // replies reach the request that asked (Channel.request)
        break;
    }
  }

  analyze(
    paths: string[],
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
      this.jobs.set(job, { resolve, reject, onProgress, onPartial, countLines: options.countLines ?? false });
      options.token?.onCancellationRequested(() => this.send({ type: 'cancel', job }));
      this.send({ type: 'analyze', job, paths, countLines: options.countLines ?? false });
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
  paths: string[],
  title: string,
  location: vscode.ProgressLocation = vscode.ProgressLocation.Notification,
  countLines = false,
  onPartial?: PartialListener,
): Promise<JobResult> {
  return Promise.resolve(
    vscode.window.withProgress({ location, title, cancellable: true }, (progress, token) => {
      let lastPct = 0;
      return worker.analyze(paths, {
        token,
        countLines,
        onPartial,
        onProgress: (done, total, path) => {
          const pct = total > 0 ? Math.floor((done / total) * 100) : 0;
          progress.report({ message: `${path.split(/[\\/]/).pop()} ${pct}%`, increment: Math.max(0, pct - lastPct) / paths.length });
          lastPct = pct;
        },
      });
    }),
  );
}

/** Where the text of an editor document can be read from disk: its file when saved, else a temporary copy. */
export async function documentPath(doc: vscode.TextDocument): Promise<{ path: string; cleanup: () => Promise<void> }> {
  if (doc.uri.scheme === 'file' && !doc.isDirty && !doc.isUntitled) return { path: doc.uri.fsPath, cleanup: async () => {} };
  const dir = await fsp.mkdtemp(join(tmpdir(), 'kvm-trace-lens-'));
  const name = (doc.uri.path.split('/').pop() || 'untitled').replace(/[^\w.-]/g, '_');
  const path = join(dir, name.endsWith('.txt') ? name : `${name}.txt`);
  await fsp.writeFile(path, doc.getText(), 'utf8');
  return { path, cleanup: () => fsp.rm(dir, { recursive: true, force: true }) };
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
      const { path, cleanup } = await documentPath(doc);
      try {
        const title = `Analysing ${doc.uri.path.split('/').pop()}`;
        const r = await analyzeWithProgress(this.worker, [path], title, location, true, forward);
        const result: DocumentAnalysis = { version, job: r.job, analysis: r.analysis, lineCounts: null };
        entry.result = result;
        this.changed.fire(doc.uri);
        void r.lineCounts.then((c) => {
          result.lineCounts = c;
        });
        // the copy is only read during the analysis; the facts stay in the worker
        void r.lineCounts.finally(() => cleanup());
        return result;
      } catch (e) {
        await cleanup();
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
