// The one public entry of the core: the CLI, the extension host, its worker and src/presentation import only this.
// What is not exported here is the core's own business and may change without notice.
export type * from './analysisTypes';
export { ANALYSIS_SCHEMA } from './analysisTypes';
export { analyzeFiles, analyzeFilesDetailed, type AnalyzeOptions, type DetailedAnalysis } from './analyze';
export {
  COMPARISON_METHOD,
  COMPARISON_SCHEMA,
  MAX_COMPARE_REASONS,
  compareAnalyses,
  expandRuns,
  measuredMetric,
  runLabel,
  type Change,
  type CompareRow,
  type CompareUnit,
  type ComparedRun,
  type Comparison,
  type PredictionCheck,
  type RunInput,
  type Verdict,
} from './compare';
export type { Interval } from './stats/intervals';
export { explainTraceLine, type LineExplanation } from './explain';
export { refinedExitReason } from './knowledge/reasonKey';
export { detectTextFormat } from './input';
export { NO_LINE_FACTS, type LineFact, type LineFacts } from './lineFacts';
export { LineSplitter } from './lineSplitter';
export { INPUT_FORMATS, isTraceTextFormat, type InputFormat, type InputWarning } from './records';
export { analyzePaths, analyzeRunDetailed, expandRunFolder, RUN_FILES } from './capture/runFolder';
export type { ByteSource, InputSource } from './byteSource';
export { record, defaultEnvironment, type RecordEnvironment } from './capture/record';
export { CaptureError } from './capture/tracefs';
export type { CaptureSide } from './capture/events';
export { readSystemState, type SystemState } from './capture/systemState';
export { applySystemState } from './capture/applySystemState';
export { captureRecipe } from './capture/recipes';
export { parseHaltPollStats, adviseHaltPollNs } from './readers/haltPollStats';
export { exportPerfetto } from './export/exportPerfetto';
export { CHECKPOINT_EVERY, TraceDatEventPages, type FilteredEvents, type ScanProgress } from './tracedat/eventPages';
export {
  exitEventFilter,
  filterKey,
  formatEventLine,
  isNoFilter,
  matchesFilter,
  NO_FILTER,
  type EventFilter,
  type EventRow,
} from './tracedat/eventRows';
export type {
  SketchArrow,
  SketchExit,
  SketchLane,
  SketchSample,
  SketchSpan,
  TransactionSketch,
} from './model/transactionSketch';
