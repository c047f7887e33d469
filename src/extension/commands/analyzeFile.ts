// kvmTraceLens.analyzeFile: files picked from disk, analysed together as one run.
import * as vscode from 'vscode';
import { baseName } from '../../presentation/analysisView';
import { analyzeWithProgress, readAnalysisFile, uriInput } from '../analysisService';
import { AnalysisPanel } from '../panels';
import { registerCommand, warnUnusable, type Services } from '../services';
import { COMMANDS } from './ids';
import { showWhileReading } from './showWhileReading';

async function analyzeFile(s: Services): Promise<void> {
  const uris = await vscode.window.showOpenDialog({
    canSelectMany: true,
    openLabel: 'Analyse together',
    title: 'Files of one run (trace, perf kvm stat, netperf/iperf output, trace.dat)',
  });
  if (!uris || uris.length === 0) return;
  const paths = uris.map((u) => u.path);
  const saved = uris.length === 1 ? await readAnalysisFile(uris[0]) : null;
  if (saved) {
    s.runs.add(saved, baseName(paths[0]));
    AnalysisPanel.show(s.host, saved);
    return;
  }
  const title = paths.map(baseName).join(' + ');
  const panel = AnalysisPanel.reading(s.host, title);
  const progressTitle = `Analysing ${paths.length} file${paths.length > 1 ? 's' : ''}`;
  const inputs = await Promise.all(uris.map(uriInput));
  const r = await showWhileReading(panel, title, () =>
    analyzeWithProgress(s.worker, inputs, progressTitle, vscode.ProgressLocation.Notification, false, (a, fraction) =>
      panel.partial(a, fraction),
    ),
  );
  s.worker.release(r.job);
  s.runs.add(r.analysis, title);
  warnUnusable(r.analysis);
  panel.finish(r.analysis);
}

export function register(s: Services): void {
  registerCommand(s, COMMANDS.analyzeFile, () => analyzeFile(s));
}
