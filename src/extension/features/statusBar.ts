// The status bar item: the active trace's exits per transaction (or per second), analysed in the background.
import * as vscode from 'vscode';
import { statusSummary } from '../../presentation/analysisView';
import { COMMANDS } from '../commands/ids';
import { TRACE_LANGUAGES, type Services } from '../services';

export function register(s: Services): void {
  const status = vscode.window.createStatusBarItem('kvmTraceLens.summary', vscode.StatusBarAlignment.Right, 100);
  status.name = 'KVM Trace Lens';
  status.command = COMMANDS.analyzeActiveFile;
  const update = () => {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !TRACE_LANGUAGES.includes(doc.languageId)) {
      status.hide();
      return;
    }
    const state = s.analyses.peek(doc);
    if (state.result) {
      const summary = statusSummary(state.result.analysis);
      status.text = `$(pulse) ${summary?.text ?? 'no exits found'}`;
      const what = summary?.tooltip ?? 'nothing to count in this file';
      status.tooltip = `KVM Trace Lens: ${what} — click to open the analysis`;
    } else if (state.error) {
      status.text = '$(warning) Trace Lens';
      status.tooltip = `KVM Trace Lens: ${state.error}`;
    } else {
      status.text = '$(loading~spin) Trace Lens';
      status.tooltip = 'KVM Trace Lens: analysing…';
      void s.analyses.get(doc).catch(() => {});
    }
    status.show();
  };
  s.context.subscriptions.push(
    status,
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.workspace.onDidOpenTextDocument(() => setTimeout(update, 50)),
    s.analyses.onDidChange(update),
  );
  update();
}
