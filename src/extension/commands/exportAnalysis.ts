// kvmTraceLens.exportAnalysisJson / exportAnalysisCsv: the current analysis through the save dialog.
import { exportAnalysis } from '../saveExport';
import { registerCommand, type Services } from '../services';
import { currentAnalysis } from './currentAnalysis';
import { COMMANDS } from './ids';

export function register(s: Services): void {
  for (const [id, format] of [
    [COMMANDS.exportJson, 'json'],
    [COMMANDS.exportCsv, 'csv'],
  ] as const) {
    registerCommand(s, id, async () => {
      const a = await currentAnalysis(s);
      if (a) await exportAnalysis(a, format);
    });
  }
}
