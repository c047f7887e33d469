// The analysis a command acts on: the active panel's, else the active trace document's, else one the user picks.
import * as vscode from 'vscode';
import type { Analysis } from '../../core/index';
import { AnalysisPanel } from '../panels';
import { TRACE_LANGUAGES, type Services } from '../services';

export async function currentAnalysis(s: Services): Promise<Analysis | null> {
  const fromPanel = AnalysisPanel.active()?.surface.analysis;
  if (fromPanel) return fromPanel;
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && TRACE_LANGUAGES.includes(doc.languageId)) {
    return (await s.analyses.get(doc, vscode.ProgressLocation.Notification)).analysis;
  }
  const list = s.runs.list();
  if (list.length === 0) {
    void vscode.window.showInformationMessage('KVM Trace Lens: analyse a file first.');
    return null;
  }
  const pick = await vscode.window.showQuickPick(
    list.map((r) => ({ label: r.label, analysis: r.analysis })),
    { title: 'Which analysis?' },
  );
  return pick?.analysis ?? null;
}
