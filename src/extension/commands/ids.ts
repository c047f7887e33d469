// The command ids of package.json `contributes.commands` (fixed by the outside contract).
export const COMMANDS = {
  analyzeActiveFile: 'kvmTraceLens.analyzeActiveFile',
  analyzeFile: 'kvmTraceLens.analyzeFile',
  compareRuns: 'kvmTraceLens.compareRuns',
  exportJson: 'kvmTraceLens.exportAnalysisJson',
  exportCsv: 'kvmTraceLens.exportAnalysisCsv',
  copySetting: 'kvmTraceLens.copyRecommendationSetting',
} as const;
