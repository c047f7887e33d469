// The messages between the extension and its webviews, both directions, with validators. Shared by the extension
// bundle and the webview bundle, so no vscode or DOM imports here. Every message that crosses is checked: a webview is
// untrusted input for the extension, and the webview only renders what has the expected shape.

// ---------- view models (what a panel shows; built by viewModel.ts / compareModel.ts) ----------

export interface SummaryFigure {
  label: string;
  value: string;
  /** Longer explanation for a tooltip. */
  hint: string;
}

export interface InputView {
  index: number;
  path: string;
  name: string;
  format: string | null;
  records: number;
  warningCount: number;
  warnings: { line: number | null; message: string }[];
  error: string | null;
}

export interface ReasonView {
  reason: string;
  category: string;
  count: number;
  share: number;
  critical: number | null;
  offCritical: number | null;
  meanNs: number | null;
  p99Ns: number | null;
  description: string;
  /** Source lines of the first input showing this reason. */
  exampleLines: number[];
}

export interface EvidenceView {
  text: string;
  /** Lines to reveal when the item is clicked (from the reason the evidence talks about); empty when none. */
  lines: number[];
}

export interface RecommendationView {
  id: string;
  title: string;
  setting: string | null;
  evidence: EvidenceView[];
  /** "transactions/s 10 500 → 14 200 (+35%)", or null. */
  prediction: string | null;
  rationale: string;
}

export interface SeriesView {
  label: string;
  values: number[];
}

/** An analysis that is not the whole input: still being read, or stopped by Cancel. */
export interface PartialState {
  state: 'reading' | 'cancelled';
  /** Share of the input bytes read, 0..100. */
  percent: number;
}

export interface AnalysisView {
  kind: 'analysis';
  title: string;
  /** When it was made (ms since epoch), shown and used to tell runs apart. */
  createdAt: number;
  inputs: InputView[];
  exitsSource: string | null;
  summary: SummaryFigure[];
  reasons: ReasonView[];
  /** Exits over time: x labels in seconds from the start, one series per reason (top few + "other"). */
  timeline: { labels: number[]; series: SeriesView[] } | null;
  vcpus: { vcpu: number; count: number }[];
  wakeupHistogram: { upperNs: number; count: number }[];
  breakdown: { component: string; meanNs: number }[];
  recommendations: RecommendationView[];
  /** Problems worth a banner (unusable inputs). */
  errors: string[];
  /** A neutral note, e.g. "read fine, but no VM exits in it". */
  notice: string | null;
  /** Set while the figures are those of a part of the input; absent or null for a finished analysis. */
  partial?: PartialState | null;
}

export interface CompareCell {
  value: number | null;
  /** Relative change against the baseline (first run), e.g. 0.12 = +12 %; null for the baseline or unknown. */
  change: number | null;
}

export interface CompareRow {
  label: string;
  /** Lower is better (exits, latency) or higher is better (throughput): how to colour a change. */
  better: 'lower' | 'higher' | 'neutral';
  cells: CompareCell[];
}

export interface PredictionCheck {
  recommendation: string;
  metric: string;
  /** The run the prediction was made on and the run that measured it. */
  fromRun: string;
  toRun: string;
  predictedBefore: number;
  predictedAfter: number;
  measured: number | null;
  /** Plain-language verdict, e.g. "measured +31 %, predicted +35 %". */
  verdict: string;
}

export interface CompareView {
  kind: 'compare';
  runs: { label: string; detail: string }[];
  benchmark: CompareRow[];
  totals: CompareRow[];
  reasons: CompareRow[];
  predictions: PredictionCheck[];
}

// ---------- messages ----------

export type HostMessage =
  | { type: 'analysis'; view: AnalysisView }
  | { type: 'compare'; view: CompareView }
  | { type: 'busy'; text: string }
  | { type: 'error'; message: string };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'reveal'; input: number; lines: number[] }
  | { type: 'copySetting'; setting: string }
  | { type: 'export'; format: 'json' | 'csv' };

/** Most lines one reveal may ask for (the editor selects them all). */
export const MAX_REVEAL_LINES = 50;
const MAX_TEXT = 2000;

type Guard<T> = (v: unknown) => v is T;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const isString: Guard<string> = (v): v is string => typeof v === 'string';
const isFiniteNumber: Guard<number> = (v): v is number => typeof v === 'number' && Number.isFinite(v);
const isNullableNumber = (v: unknown): v is number | null => v === null || isFiniteNumber(v);
const isNullableString = (v: unknown): v is string | null => v === null || isString(v);
function isLineNumber(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 1;
}
function isArrayOf<T>(v: unknown, guard: Guard<T>, max = Infinity): v is T[] {
  return Array.isArray(v) && v.length <= max && v.every((x) => guard(x));
}

/** Checks a message from a webview. Anything else is dropped by the caller. */
export function isWebviewMessage(m: unknown): m is WebviewMessage {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'ready':
      return true;
    case 'reveal':
      return Number.isInteger(m.input) && (m.input as number) >= 0 && isArrayOf(m.lines, isLineNumber, MAX_REVEAL_LINES) && m.lines.length > 0;
    case 'copySetting':
      return isString(m.setting) && m.setting.length > 0 && m.setting.length <= MAX_TEXT;
    case 'export':
      return m.format === 'json' || m.format === 'csv';
    default:
      return false;
  }
}

const isSummaryFigure = (v: unknown): v is SummaryFigure => isObject(v) && isString(v.label) && isString(v.value) && isString(v.hint);

const isInputView = (v: unknown): v is InputView =>
  isObject(v) &&
  Number.isInteger(v.index) &&
  isString(v.path) &&
  isString(v.name) &&
  isNullableString(v.format) &&
  isFiniteNumber(v.records) &&
  isFiniteNumber(v.warningCount) &&
  isArrayOf(v.warnings, (w): w is { line: number | null; message: string } => isObject(w) && isNullableNumber(w.line) && isString(w.message)) &&
  isNullableString(v.error);

const isReasonView = (v: unknown): v is ReasonView =>
  isObject(v) &&
  isString(v.reason) &&
  isString(v.category) &&
  isFiniteNumber(v.count) &&
  isFiniteNumber(v.share) &&
  isNullableNumber(v.critical) &&
  isNullableNumber(v.offCritical) &&
  isNullableNumber(v.meanNs) &&
  isNullableNumber(v.p99Ns) &&
  isString(v.description) &&
  isArrayOf(v.exampleLines, isLineNumber);

const isEvidence = (v: unknown): v is EvidenceView => isObject(v) && isString(v.text) && isArrayOf(v.lines, isLineNumber);

const isRecommendationView = (v: unknown): v is RecommendationView =>
  isObject(v) &&
  isString(v.id) &&
  isString(v.title) &&
  isNullableString(v.setting) &&
  isArrayOf(v.evidence, isEvidence) &&
  isNullableString(v.prediction) &&
  isString(v.rationale);

const isPartialState = (v: unknown): v is PartialState =>
  isObject(v) && (v.state === 'reading' || v.state === 'cancelled') && isFiniteNumber(v.percent) && v.percent >= 0 && v.percent <= 100;

const isSeries = (v: unknown): v is SeriesView => isObject(v) && isString(v.label) && isArrayOf(v.values, isFiniteNumber);

export function isAnalysisView(v: unknown): v is AnalysisView {
  if (!isObject(v) || v.kind !== 'analysis') return false;
  const timelineOk =
    v.timeline === null ||
    (isObject(v.timeline) && isArrayOf(v.timeline.labels, isFiniteNumber) && isArrayOf(v.timeline.series, isSeries));
  return (
    isString(v.title) &&
    isFiniteNumber(v.createdAt) &&
    isArrayOf(v.inputs, isInputView) &&
    isNullableString(v.exitsSource) &&
    isArrayOf(v.summary, isSummaryFigure) &&
    isArrayOf(v.reasons, isReasonView) &&
    timelineOk &&
    isArrayOf(v.vcpus, (x): x is { vcpu: number; count: number } => isObject(x) && isFiniteNumber(x.vcpu) && isFiniteNumber(x.count)) &&
    isArrayOf(v.wakeupHistogram, (x): x is { upperNs: number; count: number } => isObject(x) && isFiniteNumber(x.upperNs) && isFiniteNumber(x.count)) &&
    isArrayOf(v.breakdown, (x): x is { component: string; meanNs: number } => isObject(x) && isString(x.component) && isFiniteNumber(x.meanNs)) &&
    isArrayOf(v.recommendations, isRecommendationView) &&
    isArrayOf(v.errors, isString) &&
    isNullableString(v.notice) &&
    (v.partial === undefined || v.partial === null || isPartialState(v.partial))
  );
}

const isCompareRow = (v: unknown): v is CompareRow =>
  isObject(v) &&
  isString(v.label) &&
  (v.better === 'lower' || v.better === 'higher' || v.better === 'neutral') &&
  isArrayOf(v.cells, (c): c is CompareCell => isObject(c) && isNullableNumber(c.value) && isNullableNumber(c.change));

const isPredictionCheck = (v: unknown): v is PredictionCheck =>
  isObject(v) &&
  isString(v.recommendation) &&
  isString(v.metric) &&
  isString(v.fromRun) &&
  isString(v.toRun) &&
  isFiniteNumber(v.predictedBefore) &&
  isFiniteNumber(v.predictedAfter) &&
  isNullableNumber(v.measured) &&
  isString(v.verdict);

export function isCompareView(v: unknown): v is CompareView {
  return (
    isObject(v) &&
    v.kind === 'compare' &&
    isArrayOf(v.runs, (r): r is { label: string; detail: string } => isObject(r) && isString(r.label) && isString(r.detail)) &&
    isArrayOf(v.benchmark, isCompareRow) &&
    isArrayOf(v.totals, isCompareRow) &&
    isArrayOf(v.reasons, isCompareRow) &&
    isArrayOf(v.predictions, isPredictionCheck)
  );
}

/** Checks a message from the extension (the webview side). */
export function isHostMessage(m: unknown): m is HostMessage {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'analysis':
      return isAnalysisView(m.view);
    case 'compare':
      return isCompareView(m.view);
    case 'busy':
      return isString(m.text);
    case 'error':
      return isString(m.message);
    default:
      return false;
  }
}

/** What a panel keeps across reloads (vscode.setState) and hands back to the serializer. */
export type PanelState = { view: AnalysisView } | { view: CompareView };

export function isPanelState(s: unknown): s is PanelState {
  return isObject(s) && (isAnalysisView(s.view) || isCompareView(s.view));
}
