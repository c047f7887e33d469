// The Analysis and Compare panels, their restore-after-reload serializers, and the readonly trace.dat editor.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { compareAnalyses, type Analysis, type RunInput } from '../core/index';
import { AnalysisWorker, CancelledError, analyzeWithProgress, uriInput } from './analysisService';
import { panelHtml, webviewOptions, type PanelKind } from './panelHtml';
import { buildAnalysisView, buildPartialView } from '../presentation/analysisView';
import { buildCompareView } from '../presentation/compareView';
import { isPanelState, isWebviewMessage, type HostMessage, type WebviewMessage } from '../shared/messages';
import { Channel } from '../shared/rpc';
import type { AnalysisView, CompareView } from '../shared/views';
import type { EventListReply, EventListStatus } from '../shared/eventListMessages';
import type { EventsWorker, TraceDatEvents } from './traceDatEvents';

export const ANALYSIS_VIEW_TYPE = 'kvmTraceLens.analysis';
export const COMPARE_VIEW_TYPE = 'kvmTraceLens.compare';
export const TRACE_DAT_EDITOR = 'kvmTraceLens.traceDat';

/** Analyses made in this session, newest first: what Compare Runs and the exports offer. */
export class RunStore {
  private readonly runs: { label: string; analysis: Analysis; at: number }[] = [];
  add(analysis: Analysis, label: string): void {
    const key = JSON.stringify(analysis.inputs.map((i) => i.path));
    const i = this.runs.findIndex((r) => JSON.stringify(r.analysis.inputs.map((x) => x.path)) === key);
    if (i >= 0) this.runs.splice(i, 1);
    this.runs.unshift({ label, analysis, at: Date.now() });
  }
  list(): readonly { label: string; analysis: Analysis; at: number }[] {
    return this.runs;
  }
}

export interface PanelHost {
  extensionUri: vscode.Uri;
  worker: AnalysisWorker;
  runs: RunStore;
  /** Serves the trace.dat editor's event list. */
  events?: EventsWorker;
  /** Export one analysis (JSON or CSV); the command does the save dialog. */
  exportAnalysis(analysis: Analysis, format: 'json' | 'csv'): Promise<void>;
}

/** The host's end of a webview's channel; anything not from our webview script is dropped by the channel's guard. */
function webviewChannel(
  webview: vscode.Webview,
  onMessage: (m: WebviewMessage) => void | Promise<void | HostMessage>,
  disposables: vscode.Disposable[],
): Channel<HostMessage, WebviewMessage> {
  const channel = new Channel<HostMessage, WebviewMessage>({
    post: (envelope) => void webview.postMessage(envelope),
    accept: isWebviewMessage,
    onMessage,
  });
  disposables.push(webview.onDidReceiveMessage((raw: unknown) => channel.receive(raw)));
  return channel;
}

/** Opens a source line range in an editor and selects it. */
async function revealLines(path: string, lines: number[]): Promise<void> {
  if (!existsSync(path)) {
    void vscode.window.showWarningMessage(`KVM Trace Lens: ${path} is no longer there.`);
    return;
  }
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
  const sorted = [...new Set(lines)].filter((l) => l <= doc.lineCount).sort((a, b) => a - b);
  if (sorted.length === 0) return;
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
  editor.selections = sorted.map((l) => {
    const line = doc.lineAt(l - 1);
    return new vscode.Selection(line.range.start, line.range.end);
  });
  editor.revealRange(editor.selections[0].with(), vscode.TextEditorRevealType.InCenter);
}

/** A trace.dat opens in its editor (analysis and events), never as text. */
async function openTraceDat(path: string): Promise<void> {
  await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(path), TRACE_DAT_EDITOR);
}

/** One webview showing one analysis: a panel or a trace.dat editor. */
class AnalysisSurface {
  analysis: Analysis | null = null;
  view: AnalysisView | null = null;
  private ready = false;
  /** The latest state sent: re-sent whenever the webview (re)loads, e.g. when a hidden tab is shown again. */
  private last: HostMessage | null = null;
  private readonly channel: Channel<HostMessage, WebviewMessage>;
  /** The trace.dat editor's events (none in a panel) and their last status, re-sent when the webview reloads. */
  events: TraceDatEvents | null = null;
  private eventsStatus: EventListStatus | null = null;

  constructor(
    webview: vscode.Webview,
    private readonly host: PanelHost,
    disposables: vscode.Disposable[],
  ) {
    this.channel = webviewChannel(webview, (m) => this.onMessage(m), disposables);
  }

  private send(m: HostMessage): void {
    this.last = m;
    if (this.ready) this.channel.send(m);
  }

  show(analysis: Analysis | null, view: AnalysisView): void {
    this.analysis = analysis;
    this.view = view;
    this.send({ type: 'analysis', view });
  }

  busy(text: string): void {
    this.send({ type: 'busy', text });
  }

  error(message: string): void {
    this.send({ type: 'error', message });
  }

  eventStatus(s: EventListStatus): void {
    this.eventsStatus = s;
    if (this.ready) this.channel.send(s);
  }

  private async onMessage(m: WebviewMessage): Promise<void | EventListReply> {
    if (m.type.startsWith('events.')) {
      if (!this.events) return { type: 'events.failed', message: 'this view has no event list' };
      return this.events.request(m as Parameters<TraceDatEvents['request']>[0]);
    }
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (this.last) this.channel.send(this.last);
        if (this.eventsStatus) this.channel.send(this.eventsStatus);
        break;
      case 'reveal': {
        const input = this.view?.inputs[m.input];
        if (input?.format === 'trace-dat') await openTraceDat(input.path);
        else if (input) await revealLines(input.path, m.lines);
        break;
      }
      case 'copySetting':
        await copySetting(m.setting);
        break;
      case 'export':
        if (this.analysis) await this.host.exportAnalysis(this.analysis, m.format);
        else
          void vscode.window.showInformationMessage(
            'KVM Trace Lens: run the analysis again to export it (the panel was restored without its data).',
          );
        break;
    }
  }
}

export async function copySetting(setting: string): Promise<void> {
  await vscode.env.clipboard.writeText(setting);
  void vscode.window.setStatusBarMessage(`$(clippy) Copied ${setting}`, 4000);
}

export class AnalysisPanel {
  private static readonly open = new Set<AnalysisPanel>();
  private static lastActive: AnalysisPanel | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  readonly surface: AnalysisSurface;

  static active(): AnalysisPanel | null {
    return AnalysisPanel.lastActive;
  }

  /** A new panel for an analysis (each run gets its own, so runs can sit side by side). */
  static show(host: PanelHost, analysis: Analysis): AnalysisPanel {
    const view = buildAnalysisView(analysis);
    const p = AnalysisPanel.create(host, view.title);
    p.surface.show(analysis, view);
    return p;
  }

  /**
   * A new panel for an analysis that is still running: it says "reading…" and then shows each partial analysis
   * (figures and charts so far) until `finish` replaces it, or `cancelled` keeps the last one labelled as partial.
   */
  static reading(host: PanelHost, title: string): AnalysisPanel {
    const p = AnalysisPanel.create(host, title);
    p.readingTitle = title;
    p.surface.busy(`Reading ${title}…`);
    return p;
  }

  private static create(host: PanelHost, title: string): AnalysisPanel {
    // next to the editor the first time, then in the same group as the other analyses (not one new column each)
    const column =
      [...AnalysisPanel.open].map((p) => p.panel.viewColumn).find((c) => c !== undefined) ?? vscode.ViewColumn.Beside;
    const panel = vscode.window.createWebviewPanel(
      ANALYSIS_VIEW_TYPE,
      `Trace Lens: ${title}`,
      { viewColumn: column, preserveFocus: true },
      { ...webviewOptions(host.extensionUri), retainContextWhenHidden: false },
    );
    return new AnalysisPanel(panel, host);
  }

  private readingTitle = 'Analysis';
  private disposed = false;
  /** The last partial shown, kept for the "cancelled" label. */
  private lastPartial: { analysis: Analysis; fraction: number } | null = null;

  /** Shows the analysis so far (0 ≤ fraction ≤ 1 of the input read). */
  partial(analysis: Analysis, fraction: number): void {
    if (this.disposed) return;
    this.lastPartial = { analysis, fraction };
    this.surface.show(
      analysis,
      buildPartialView(analysis, { state: 'reading', percent: fraction * 100 }, this.readingTitle),
    );
  }

  finish(analysis: Analysis): void {
    if (this.disposed) return;
    this.lastPartial = null;
    this.surface.show(analysis, buildAnalysisView(analysis));
  }

  /** Reading was stopped: keep what was read, labelled as partial (or say that nothing was). */
  cancelled(partial: Analysis | null, fraction?: number): void {
    if (this.disposed) return;
    const analysis = partial ?? this.lastPartial?.analysis ?? null;
    if (!analysis) {
      this.surface.error(`Reading ${this.readingTitle} was cancelled before anything was read.`);
      return;
    }
    const percent = (fraction ?? this.lastPartial?.fraction ?? 0) * 100;
    this.surface.show(analysis, buildPartialView(analysis, { state: 'cancelled', percent }, this.readingTitle));
  }

  failed(message: string): void {
    if (!this.disposed) this.surface.error(message);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** After a reload: show the stored view at once, then refresh it from the inputs if they are still on disk. */
  static restore(host: PanelHost, panel: vscode.WebviewPanel, view: AnalysisView): AnalysisPanel {
    const p = new AnalysisPanel(panel, host);
    p.surface.show(null, view);
    const paths = view.inputs.map((i) => i.path);
    if (paths.length > 0 && paths.every((x) => existsSync(x))) {
      host.worker
        .analyze(paths.map((path) => ({ kind: 'path', path })))
        .then((r) => {
          host.worker.release(r.job); // no hovers over a restored panel: drop its line facts
          host.runs.add(r.analysis, view.title);
          p.surface.show(r.analysis, buildAnalysisView(r.analysis));
        })
        .catch(() => {});
    }
    return p;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    host: PanelHost,
  ) {
    panel.webview.options = webviewOptions(host.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'icon.png');
    this.surface = new AnalysisSurface(panel.webview, host, this.disposables);
    panel.webview.html = panelHtml(panel.webview, host.extensionUri, 'analysis', panel.title);
    AnalysisPanel.open.add(this);
    AnalysisPanel.lastActive = this;
    this.disposables.push(
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) AnalysisPanel.lastActive = this;
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private dispose(): void {
    this.disposed = true;
    AnalysisPanel.open.delete(this);
    if (AnalysisPanel.lastActive === this) AnalysisPanel.lastActive = null;
    for (const d of this.disposables) d.dispose();
  }
}

export class ComparePanel {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly view: CompareView;

  static show(host: PanelHost, runs: RunInput[]): ComparePanel {
    const panel = vscode.window.createWebviewPanel(
      COMPARE_VIEW_TYPE,
      `Trace Lens: compare ${runs.length} runs`,
      vscode.ViewColumn.Active,
      webviewOptions(host.extensionUri),
    );
    return new ComparePanel(panel, host, buildCompareView(compareAnalyses(runs)));
  }

  static restore(host: PanelHost, panel: vscode.WebviewPanel, view: CompareView): ComparePanel {
    return new ComparePanel(panel, host, view);
  }

  private constructor(panel: vscode.WebviewPanel, host: PanelHost, view: CompareView) {
    this.view = view;
    panel.webview.options = webviewOptions(host.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'icon.png');
    panel.webview.html = panelHtml(panel.webview, host.extensionUri, 'compare', panel.title);
    const channel = webviewChannel(
      panel.webview,
      (m) => {
        if (m.type === 'ready') channel.send({ type: 'compare', view: this.view });
        else if (m.type === 'copySetting') void copySetting(m.setting);
      },
      this.disposables,
    );
    this.disposables.push(panel.onDidDispose(() => this.disposables.forEach((d) => d.dispose())));
  }
}

/** Restores panels after a window reload from the state their webview saved. */
export class PanelSerializer implements vscode.WebviewPanelSerializer {
  constructor(
    private readonly host: PanelHost,
    private readonly kind: PanelKind,
  ) {}
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    if (isPanelState(state)) {
      if (this.kind === 'analysis' && state.view.kind === 'analysis') {
        AnalysisPanel.restore(this.host, panel, state.view);
        return;
      }
      if (this.kind === 'compare' && state.view.kind === 'compare') {
        ComparePanel.restore(this.host, panel, state.view);
        return;
      }
    }
    panel.dispose(); // nothing usable was saved
  }
}

/** trace.dat files open as their analysis (readonly; the binary itself is not shown). */
export class TraceDatEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly host: PanelHost) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => {} };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const disposables: vscode.Disposable[] = [];
    panel.webview.options = webviewOptions(this.host.extensionUri);
    const surface = new AnalysisSurface(panel.webview, this.host, disposables);
    const name = document.uri.path.split('/').pop() ?? 'trace.dat';
    panel.webview.html = panelHtml(panel.webview, this.host.extensionUri, 'analysis', name);
    const cancel = new vscode.CancellationTokenSource();
    panel.onDidDispose(() => {
      cancel.cancel();
      disposables.forEach((d) => d.dispose());
    });
    surface.busy(`Reading ${name}…`);
    // The event list pages through the file itself: local files only (other schemes get the analysis alone).
    if (this.host.events && document.uri.scheme === 'file') {
      surface.events = this.host.events.open(document.uri.fsPath, (s) => surface.eventStatus(s));
      disposables.push(surface.events);
    }
    let lastFraction = 0;
    try {
      const r = await analyzeWithProgress(
        this.host.worker,
        [await uriInput(document.uri)],
        `Reading ${name}`,
        vscode.ProgressLocation.Notification,
        false,
        (a, fraction) => {
          lastFraction = fraction;
          surface.show(a, buildPartialView(a, { state: 'reading', percent: fraction * 100 }, name));
        },
      );
      this.host.worker.release(r.job);
      this.host.runs.add(r.analysis, name);
      surface.show(r.analysis, buildAnalysisView(r.analysis));
    } catch (e) {
      if (e instanceof CancelledError && e.partial) {
        const percent = (e.fraction || lastFraction) * 100;
        surface.show(e.partial, buildPartialView(e.partial, { state: 'cancelled', percent }, name));
      } else {
        surface.error(
          e instanceof CancelledError
            ? 'Reading was cancelled. Reopen the file to try again.'
            : `Could not read ${name}: ${(e as Error).message}`,
        );
      }
    }
  }
}
