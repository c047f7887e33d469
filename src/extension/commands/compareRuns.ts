// kvmTraceLens.compareRuns: pick analysed runs (and/or files from disk, one run each) and open the Compare panel.
import * as vscode from 'vscode';
import type { Analysis, RunInput } from '../../core/index';
import { baseName } from '../../presentation/analysisView';
import { analyzeWithProgress, readAnalysisFile, uriInput } from '../analysisService';
import { ComparePanel } from '../panels';
import { inClickOrder } from '../pickOrder';
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

async function runsFromDisk(s: Services): Promise<RunInput[]> {
  const title = 'Runs to compare (one file per run)';
  const uris = await vscode.window.showOpenDialog({ canSelectMany: true, openLabel: 'Compare', title });
  const runs: RunInput[] = [];
  for (const u of uris ?? []) runs.push(await runFromDisk(s, u));
  return runs;
}

const PICK_TITLE = 'Compare runs — the first run you pick is the baseline';

/** A multi-select pick that keeps the order of the clicks and names the baseline as soon as there is one. */
function pickInClickOrder(items: Item[]): Promise<Item[] | undefined> {
  const pick = vscode.window.createQuickPick<Item>();
  pick.items = items;
  pick.canSelectMany = true;
  pick.title = PICK_TITLE;
  pick.placeholder = 'Pick the baseline first, then the runs to compare with it (e.g. halt polling off, then on)';
  let order: Item[] = [];
  return new Promise((resolve) => {
    pick.onDidChangeSelection((selected) => {
      order = inClickOrder(order, selected);
      const first = order[0];
      const baseline = first?.pickFiles ? 'the first file you add from disk' : first?.label;
      pick.title = baseline ? `${PICK_TITLE} (baseline: ${baseline})` : PICK_TITLE;
    });
    pick.onDidAccept(() => {
      resolve(order);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
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
  const picked = await pickInClickOrder(items);
  if (!picked || picked.length === 0) return;
  // disk runs take the place of the "Add runs from disk…" item in the click order
  const chosen: RunInput[] = [];
  for (const p of picked) {
    if (p.analysis) chosen.push({ label: p.label, analysis: p.analysis });
    else if (p.pickFiles) chosen.push(...(await runsFromDisk(s)));
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
