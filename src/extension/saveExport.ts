// The save dialog behind Export (commands and the panels' buttons): the analysis as JSON, or exits by reason as CSV.
import * as vscode from 'vscode';
import type { Analysis } from '../core/index';
import { baseName } from '../presentation/analysisView';
import { analysisToJson, exitsToCsv } from './exportData';

export async function exportAnalysis(a: Analysis, format: 'json' | 'csv'): Promise<void> {
  const base = baseName(a.inputs[0]?.path ?? 'analysis').replace(/\.[^.]*$/, '');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const defaultName = `${base}.analysis.${format}`;
  const uri = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, defaultName) : undefined,
    filters: format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
    title: format === 'json' ? 'Export analysis as JSON' : 'Export exits by reason as CSV',
  });
  if (!uri) return;
  const text = format === 'json' ? analysisToJson(a) : exitsToCsv(a);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  void vscode.window.setStatusBarMessage(`$(check) Saved ${baseName(uri.path)}`, 4000);
}
