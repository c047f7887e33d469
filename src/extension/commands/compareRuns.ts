// kvmTraceLens.compareRuns: pick analysed runs (and/or files from disk, one run each) and open the Compare panel.
import * as vscode from 'vscode';
import type { Analysis, RunInput } from '../../core/index';
import { baseName } from '../../presentation/analysisView';
import { analyzeWithProgress, readAnalysisFile, uriInput } from '../analysisService';
import { ComparePanel } from '../panels';
import { registerCommand, type Services } from '../services';
import { COMMANDS } from './ids';

type Item = vscode.QuickPickItem & { analysis?: Analysis; pickFiles?: boolean };

/** One file from disk as one run: a saved analysis as it is, anything else analysed. */
async function runFromDisk(s: Services, uri: vscode.Uri): Promise<RunInput> {
  const label = baseName(uri.path);
  const saved = await readAnalysisFile(uri);
  if (saved) {
    s.runs.add(saved, label);
    return { label, analysis: saved };
  }
  const r = await analyzeWithProgress(s.worker, [await uriInput(uri)], `Analysing ${label}`);
  s.worker.release(r.job);
  s.runs.add(r.analysis, label);
  return { label, analysis: r.analysis };
}

async function compareRuns(s: Services): Promise<void> {
  const items: Item[] = s.runs.list().map((r) => ({
    label: r.label,
    description: new Date(r.at).toLocaleTimeString(),
    detail: r.analysis.inputs.map((i) => i.path).join(', '),
    analysis: r.analysis,
  }));
  items.push({
    label: '$(folder-opened) Add runs from disk…',
    detail: 'Pick files; each file is one run (a trace, benchmark output or a saved analysis .json)',
    pickFiles: true,
    alwaysShow: true,
  });
  const picked = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: 'Compare runs — the first picked is the baseline',
    placeHolder: 'Pick two or more runs (e.g. halt polling off and on)',
  });
  if (!picked || picked.length === 0) return;
  const chosen: RunInput[] = picked.flatMap((p) => (p.analysis ? [{ label: p.label, analysis: p.analysis }] : []));
  if (picked.some((p) => p.pickFiles)) {
    const title = 'Runs to compare (one file per run)';
    const uris = await vscode.window.showOpenDialog({ canSelectMany: true, openLabel: 'Compare', title });
    for (const u of uris ?? []) chosen.push(await runFromDisk(s, u));
  }
  if (chosen.length < 2) {
    void vscode.window.showWarningMessage('KVM Trace Lens: pick at least two runs to compare.');
    return;
  }
  ComparePanel.show(s.host, chosen);
}

export function register(s: Services): void {
  registerCommand(s, COMMANDS.compareRuns, () => compareRuns(s));
}
