// KVM Trace Lens extension entry: languages by content, hovers, commands, panels, the trace.dat editor, status bar.
import * as vscode from 'vscode';
import type { Analysis } from '../core/index';
import { AnalysisWorker, CancelledError, DocumentAnalyses, analyzeWithProgress } from './analysisService';
import { parseAnalysisJson, readAnalysisFile } from './analysisFile';
import { analysisToJson, exitsToCsv } from './exportData';
import { TraceHoverProvider } from './hover';
import { LANGUAGE_IDS } from './languages';
import { registerLanguageDetection } from './languageDetection';
import {
  ANALYSIS_VIEW_TYPE,
  AnalysisPanel,
  COMPARE_VIEW_TYPE,
  ComparePanel,
  PanelSerializer,
  RunStore,
  TRACE_DAT_EDITOR,
  TraceDatEditorProvider,
  copySetting,
  type PanelHost,
} from './panels';
import { baseName, statusSummary } from '../presentation/analysisView';

export const COMMANDS = {
  analyzeActiveFile: 'kvmTraceLens.analyzeActiveFile',
  analyzeFile: 'kvmTraceLens.analyzeFile',
  compareRuns: 'kvmTraceLens.compareRuns',
  exportJson: 'kvmTraceLens.exportAnalysisJson',
  exportCsv: 'kvmTraceLens.exportAnalysisCsv',
  copySetting: 'kvmTraceLens.copyRecommendationSetting',
} as const;

const TRACE_LANGUAGES: readonly string[] = LANGUAGE_IDS;

function reportFailure(e: unknown): void {
  if (e instanceof CancelledError) return;
  void vscode.window.showErrorMessage(`KVM Trace Lens: ${e instanceof Error ? e.message : String(e)}`);
}

/** Tells the user when an analysis found nothing usable, with the reader's own words. */
function warnUnusable(a: Analysis): void {
  const broken = a.inputs.filter((i) => i.error);
  if (broken.length > 0 && broken.length === a.inputs.length) {
    void vscode.window.showWarningMessage(`KVM Trace Lens: ${broken.map((i) => `${baseName(i.path)}: ${i.error}`).join('; ')}`);
  }
}

/** Runs an analysis for a panel opened in its "reading" state; a cancel or failure is shown in the panel too. */
async function showWhileReading<T>(panel: AnalysisPanel, name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof CancelledError) panel.cancelled(e.partial, e.fraction);
    else panel.failed(`Could not read ${name}: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
}

export function activate(context: vscode.ExtensionContext): void {
  const worker = new AnalysisWorker(vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath);
  const analyses = new DocumentAnalyses(worker);
  const runs = new RunStore();
  const host: PanelHost = {
    extensionUri: context.extensionUri,
    worker,
    runs,
    exportAnalysis: (a, format) => exportAnalysis(a, format),
  };
  context.subscriptions.push(worker, analyses);

  registerLanguageDetection(context);
  const selector = TRACE_LANGUAGES.map((language) => ({ language }));
  context.subscriptions.push(
    vscode.languages.registerHoverProvider(
      selector.filter((s) => s.language === 'kvm-trace'),
      new TraceHoverProvider(analyses, worker),
    ),
    vscode.window.registerWebviewPanelSerializer(ANALYSIS_VIEW_TYPE, new PanelSerializer(host, 'analysis')),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, new PanelSerializer(host, 'compare')),
    vscode.window.registerCustomEditorProvider(TRACE_DAT_EDITOR, new TraceDatEditorProvider(host), {
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }),
  );

  // ---------- status bar ----------
  const status = vscode.window.createStatusBarItem('kvmTraceLens.summary', vscode.StatusBarAlignment.Right, 100);
  status.name = 'KVM Trace Lens';
  status.command = COMMANDS.analyzeActiveFile;
  context.subscriptions.push(status);
  const updateStatus = () => {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !TRACE_LANGUAGES.includes(doc.languageId)) {
      status.hide();
      return;
    }
    const s = analyses.peek(doc);
    if (s.result) {
      const summary = statusSummary(s.result.analysis);
      status.text = `$(pulse) ${summary?.text ?? 'no exits found'}`;
      status.tooltip = `KVM Trace Lens: ${summary?.tooltip ?? 'nothing to count in this file'} — click to open the analysis`;
    } else if (s.error) {
      status.text = '$(warning) Trace Lens';
      status.tooltip = `KVM Trace Lens: ${s.error}`;
    } else {
      status.text = '$(loading~spin) Trace Lens';
      status.tooltip = 'KVM Trace Lens: analysing…';
      void analyses.get(doc).catch(() => {});
    }
    status.show();
  };
  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(updateStatus),
    vscode.workspace.onDidOpenTextDocument(() => setTimeout(updateStatus, 50)),
    analyses.onDidChange(updateStatus),
  );
  updateStatus();

  // ---------- commands ----------
  const register = (id: string, fn: (...args: unknown[]) => Promise<void>) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => fn(...args).catch(reportFailure)));

  register(COMMANDS.analyzeActiveFile, async (uriArg?: unknown) => {
    const target = uriArg instanceof vscode.Uri ? uriArg : undefined;
    const doc = target ? await vscode.workspace.openTextDocument(target) : vscode.window.activeTextEditor?.document;
    if (!doc) {
      void vscode.window.showInformationMessage('KVM Trace Lens: open a trace, perf kvm stat, netperf or iperf file first.');
      return;
    }
    const name = baseName(doc.uri.path);
    // a saved analysis (analyze --json, Export JSON) is shown as it is
    const saved = doc.languageId === 'json' || doc.uri.path.endsWith('.json') ? parseAnalysisJson(doc.getText()) : null;
    if (saved) {
      runs.add(saved, name);
      AnalysisPanel.show(host, saved);
      return;
    }
    const done = analyses.peek(doc).result;
    if (done) {
      runs.add(done.analysis, name);
      AnalysisPanel.show(host, done.analysis);
      return;
    }
    // the panel opens at once and shows the figures so far while the file is read
    const panel = AnalysisPanel.reading(host, name);
    const result = await showWhileReading(panel, name, () =>
      analyses.get(doc, vscode.ProgressLocation.Notification, (a, fraction) => panel.partial(a, fraction)),
    );
    runs.add(result.analysis, name);
    warnUnusable(result.analysis);
    panel.finish(result.analysis);
  });

  register(COMMANDS.analyzeFile, async () => {
    const uris = await vscode.window.showOpenDialog({
      canSelectMany: true,
      openLabel: 'Analyse together',
      title: 'Files of one run (trace, perf kvm stat, netperf/iperf output, trace.dat)',
    });
    if (!uris || uris.length === 0) return;
    const paths = uris.map((u) => u.fsPath);
    if (paths.length === 1) {
      const saved = await readAnalysisFile(paths[0]);
      if (saved) {
        runs.add(saved, baseName(paths[0]));
        AnalysisPanel.show(host, saved);
        return;
      }
    }
    const title = paths.map(baseName).join(' + ');
    const panel = AnalysisPanel.reading(host, title);
    const r = await showWhileReading(panel, title, () =>
      analyzeWithProgress(worker, paths, `Analysing ${paths.length} file${paths.length > 1 ? 's' : ''}`, vscode.ProgressLocation.Notification, false, (a, fraction) =>
        panel.partial(a, fraction),
      ),
    );
    worker.release(r.job);
    runs.add(r.analysis, title);
    warnUnusable(r.analysis);
    panel.finish(r.analysis);
  });

  register(COMMANDS.compareRuns, async () => {
    type Item = vscode.QuickPickItem & { analysis?: Analysis; pickFiles?: boolean };
    const items: Item[] = runs.list().map((r) => ({
      label: r.label,
      description: new Date(r.at).toLocaleTimeString(),
      detail: r.analysis.inputs.map((i) => i.path).join(', '),
      analysis: r.analysis,
    }));
    items.push({ label: '$(folder-opened) Add runs from disk…', detail: 'Pick files; each file is one run (a trace, benchmark output or a saved analysis .json)', pickFiles: true, alwaysShow: true });
    const picked = await vscode.window.showQuickPick(items, {
      canPickMany: true,
      title: 'Compare runs — the first picked is the baseline',
      placeHolder: 'Pick two or more runs (e.g. halt polling off and on)',
    });
    if (!picked || picked.length === 0) return;
    const chosen: { label: string; analysis: Analysis }[] = picked.filter((p) => p.analysis).map((p) => ({ label: p.label, analysis: p.analysis! }));
    if (picked.some((p) => p.pickFiles)) {
      const uris = await vscode.window.showOpenDialog({ canSelectMany: true, openLabel: 'Compare', title: 'Runs to compare (one file per run)' });
      for (const u of uris ?? []) {
        const saved = await readAnalysisFile(u.fsPath);
        if (saved) {
          runs.add(saved, baseName(u.fsPath));
          chosen.push({ label: baseName(u.fsPath), analysis: saved });
          continue;
        }
        const r = await analyzeWithProgress(worker, [u.fsPath], `Analysing ${baseName(u.fsPath)}`);
        worker.release(r.job);
        runs.add(r.analysis, baseName(u.fsPath));
        chosen.push({ label: baseName(u.fsPath), analysis: r.analysis });
      }
    }
    if (chosen.length < 2) {
      void vscode.window.showWarningMessage('KVM Trace Lens: pick at least two runs to compare.');
      return;
    }
    ComparePanel.show(host, chosen);
  });

  const currentAnalysis = async (): Promise<Analysis | null> => {
    const fromPanel = AnalysisPanel.active()?.surface.analysis;
    if (fromPanel) return fromPanel;
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && TRACE_LANGUAGES.includes(doc.languageId)) return (await analyses.get(doc, vscode.ProgressLocation.Notification)).analysis;
    const list = runs.list();
    if (list.length === 0) {
      void vscode.window.showInformationMessage('KVM Trace Lens: analyse a file first.');
      return null;
    }
    const pick = await vscode.window.showQuickPick(
      list.map((r) => ({ label: r.label, analysis: r.analysis })),
      { title: 'Which analysis?' },
    );
    return pick?.analysis ?? null;
  };

  const exportAnalysis = async (a: Analysis, format: 'json' | 'csv') => {
    const base = baseName(a.inputs[0]?.path ?? 'analysis').replace(/\.[^.]*$/, '');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const defaultName = `${base}.analysis.${format}`;
    const uri = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, defaultName) : undefined,
      filters: format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
      title: format === 'json' ? 'Export analysis as JSON' : 'Export exits by reason as CSV',
    });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(format === 'json' ? analysisToJson(a) : exitsToCsv(a)));
    void vscode.window.setStatusBarMessage(`$(check) Saved ${baseName(uri.path)}`, 4000);
  };

  register(COMMANDS.exportJson, async () => {
    const a = await currentAnalysis();
    if (a) await exportAnalysis(a, 'json');
  });
  register(COMMANDS.exportCsv, async () => {
    const a = await currentAnalysis();
    if (a) await exportAnalysis(a, 'csv');
  });
  register(COMMANDS.copySetting, async (settingArg?: unknown) => {
    if (typeof settingArg === 'string' && settingArg.length > 0) {
      await copySetting(settingArg);
      return;
    }
    const a = await currentAnalysis();
    const withSetting = (a?.recommendations ?? []).filter((r) => r.setting);
    if (withSetting.length === 0) {
      void vscode.window.showInformationMessage('KVM Trace Lens: this analysis has no recommended setting.');
      return;
    }
    const pick = await vscode.window.showQuickPick(
      withSetting.map((r) => ({ label: r.setting!, description: r.title })),
      { title: 'Copy which setting?' },
    );
    if (pick) await copySetting(pick.label);
  });
}

export function deactivate(): void {}
