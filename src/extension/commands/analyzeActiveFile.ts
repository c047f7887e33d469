// kvmTraceLens.analyzeActiveFile: the file in the active editor (or the one clicked in the explorer) in a panel.
import * as vscode from 'vscode';
import { baseName } from '../../presentation/analysisView';
import { parseAnalysisJson } from '../analysisFile';
import { AnalysisPanel } from '../panels';
import { registerCommand, warnUnusable, type Services } from '../services';
import { COMMANDS } from './ids';
import { showWhileReading } from './showWhileReading';

async function analyzeActiveFile(s: Services, uriArg?: unknown): Promise<void> {
  const target = uriArg instanceof vscode.Uri ? uriArg : undefined;
  const doc = target ? await vscode.workspace.openTextDocument(target) : vscode.window.activeTextEditor?.document;
  if (!doc) {
    void vscode.window.showInformationMessage(
      'KVM Trace Lens: open a trace, perf kvm stat, netperf or iperf file first.',
    );
    return;
  }
  const name = baseName(doc.uri.path);
  // a saved analysis (analyze --json, Export JSON) is shown as it is
  const saved = doc.languageId === 'json' || doc.uri.path.endsWith('.json') ? parseAnalysisJson(doc.getText()) : null;
  const done = saved ?? s.analyses.peek(doc).result?.analysis;
  if (done) {
    s.runs.add(done, name);
    AnalysisPanel.show(s.host, done);
    return;
  }
  // the panel opens at once and shows the figures so far while the file is read
  const panel = AnalysisPanel.reading(s.host, name);
  const result = await showWhileReading(panel, name, () =>
    s.analyses.get(doc, vscode.ProgressLocation.Notification, (a, fraction) => panel.partial(a, fraction)),
  );
  s.runs.add(result.analysis, name);
  warnUnusable(result.analysis);
  panel.finish(result.analysis);
}

export function register(s: Services): void {
  registerCommand(s, COMMANDS.analyzeActiveFile, (uri) => analyzeActiveFile(s, uri));
}
