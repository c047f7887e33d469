// What the panels show (view models built by src/presentation) and their validators: the webview renders only what has
// the expected shape. No vscode or DOM imports: the extension, the worker and the webview bundles all share this.
import {
  isArrayOf,
  isFiniteNumber,
  isLineNumber,
  isNullableNumber,
  isNullableString,
  isObject,
  isString,
} from './guards';

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
  /** Host traces: what later events say the row's exits did (reason = the part's detail, e.g. "APIC_EOI"). */
  parts?: ReasonView[];
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

/** A small table of facts in words (src/presentation/factTables.ts): runs, count-table figures, MSRs, host events. */
export interface FactTableView {
  id: string;
  title: string;
  hint: string | null;
  head: string[];
  rows: string[][];
  /** What the rows leave out, e.g. "4 more MSRs not listed.". */
  note: string | null;
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
  /** Runs in the inputs, the count table's own figures, MSRs and ports, host events; absent in older views. */
  tables?: FactTableView[];
  /** The SVG pictures (src/presentation/pictures) as trees: the webview builds nodes, never parses markup. */
  pictures?: PicturesView;
}

/** A picture's element: tag, attributes and children (text is text). Only the tags and attributes allowed below. */
export interface PictureNode {
  tag: string;
  attrs: [string, string][];
  children: (PictureNode | string)[];
}

export interface PicturesView {
  /** Transactions drawn, the median first: `which` names it in the picker ("median", "p99", …). */
  transactions: { which: string; durationNs: number; tree: PictureNode }[];
  /** Distributions and rates, each a <figure data-testid=…>. */
  figures: PictureNode[];
}

export type CompareVerdict = 'significant' | 'within noise' | 'no interval';

/** One run's figure in a compare row, already in words (src/presentation/compareView.ts). */
export interface CompareCellView {
  value: string;
  /** Against the baseline, e.g. "+30 %"; null for the baseline. */
  change: string | null;
  /** The 95 % interval of the change, e.g. "+25 % to +35 %", or why there is none. */
  interval: string | null;
  verdict: CompareVerdict | null;
  /** Colour: a significant improvement, a significant worsening, or neither. */
  tone: 'better' | 'worse' | 'neutral';
}

export interface CompareRowView {
  id: string;
  label: string;
  cells: CompareCellView[];
}

export interface CompareSectionView {
  title: string;
  hint: string | null;
  rows: CompareRowView[];
}

export interface PredictionCheckView {
  /** "Let the idle vCPU poll before halting (guest_halt_poll_ns=200000)". */
  recommendation: string;
  fromRun: string;
  toRun: string;
  /** "predicted 13,230 from 9,800; measured 12,740 (+30 %), …". */
  verdict: string;
  withinRange: boolean | null;
}

export interface CompareView {
  kind: 'compare';
  runs: { label: string; detail: string }[];
  sections: CompareSectionView[];
  predictions: PredictionCheckView[];
  /** Series statistics over the runs (Cully, xen-devel 2007), or null for two runs. */
  series: string | null;
  /** How the intervals were made, in one line. */
  method: string;
  /** Distributions overlaid and exits per transaction side by side (figures as in PicturesView). */
  pictures?: PictureNode[];
}

const isSummaryFigure = (v: unknown): v is SummaryFigure =>
  isObject(v) && isString(v.label) && isString(v.value) && isString(v.hint);

const isInputView = (v: unknown): v is InputView =>
  isObject(v) &&
  Number.isInteger(v.index) &&
  isString(v.path) &&
  isString(v.name) &&
  isNullableString(v.format) &&
  isFiniteNumber(v.records) &&
  isFiniteNumber(v.warningCount) &&
  isArrayOf(
    v.warnings,
    (w): w is { line: number | null; message: string } =>
      isObject(w) && isNullableNumber(w.line) && isString(w.message),
  ) &&
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

const isEvidence = (v: unknown): v is EvidenceView =>
  isObject(v) && isString(v.text) && isArrayOf(v.lines, isLineNumber);

const isRecommendationView = (v: unknown): v is RecommendationView =>
  isObject(v) &&
  isString(v.id) &&
  isString(v.title) &&
  isNullableString(v.setting) &&
  isArrayOf(v.evidence, isEvidence) &&
  isNullableString(v.prediction) &&
  isString(v.rationale);

const isPartialState = (v: unknown): v is PartialState =>
  isObject(v) &&
  (v.state === 'reading' || v.state === 'cancelled') &&
  isFiniteNumber(v.percent) &&
  v.percent >= 0 &&
  v.percent <= 100;

const isSeries = (v: unknown): v is SeriesView =>
  isObject(v) && isString(v.label) && isArrayOf(v.values, isFiniteNumber);

const isFactTable = (v: unknown): v is FactTableView =>
  isObject(v) &&
  isString(v.id) &&
  isString(v.title) &&
  isNullableString(v.hint) &&
  isArrayOf(v.head, isString) &&
  isArrayOf(v.rows, (r): r is string[] => isArrayOf(r, isString)) &&
  isNullableString(v.note);

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
    isArrayOf(
      v.vcpus,
      (x): x is { vcpu: number; count: number } => isObject(x) && isFiniteNumber(x.vcpu) && isFiniteNumber(x.count),
    ) &&
    isArrayOf(
      v.wakeupHistogram,
      (x): x is { upperNs: number; count: number } =>
        isObject(x) && isFiniteNumber(x.upperNs) && isFiniteNumber(x.count),
    ) &&
    isArrayOf(
      v.breakdown,
      (x): x is { component: string; meanNs: number } =>
        isObject(x) && isString(x.component) && isFiniteNumber(x.meanNs),
    ) &&
    isArrayOf(v.recommendations, isRecommendationView) &&
    isArrayOf(v.errors, isString) &&
    isNullableString(v.notice) &&
    (v.partial === undefined || v.partial === null || isPartialState(v.partial)) &&
    (v.tables === undefined || isArrayOf(v.tables, isFactTable)) &&
    (v.pictures === undefined || isPicturesView(v.pictures))
  );
}

const PICTURE_TAGS = new Set(
  'figure figcaption details summary table thead tbody tr th td svg g rect path circle line polyline text title'.split(
    ' ',
  ),
);
/** Geometry, classes, data-*, ARIA: no event handlers, no style, no links. */
const PICTURE_ATTR =
  /^(class|data-[a-z-]+|x|y|x1|x2|y1|y2|cx|cy|r|d|points|width|height|viewBox|xmlns|role|aria-label|text-anchor|stroke-dasharray|scope)$/;
const MAX_PICTURE_DEPTH = 12;

export function isPictureNode(v: unknown, depth = 0): v is PictureNode {
  return (
    depth <= MAX_PICTURE_DEPTH &&
    isObject(v) &&
    isString(v.tag) &&
    PICTURE_TAGS.has(v.tag) &&
    isArrayOf(
      v.attrs,
      (a): a is [string, string] =>
        Array.isArray(a) && a.length === 2 && isString(a[0]) && PICTURE_ATTR.test(a[0]) && isString(a[1]),
    ) &&
    isArrayOf(v.children, (c): c is PictureNode | string => isString(c) || isPictureNode(c, depth + 1))
  );
}

const isDrawnTransaction = (x: unknown): x is PicturesView['transactions'][number] =>
  isObject(x) && isString(x.which) && isFiniteNumber(x.durationNs) && isPictureNode(x.tree);

const isPicturesView = (v: unknown): v is PicturesView =>
  isObject(v) && isArrayOf(v.transactions, isDrawnTransaction) && isArrayOf(v.figures, (f) => isPictureNode(f));

const isVerdict = (v: unknown): v is CompareVerdict | null =>
  v === null || v === 'significant' || v === 'within noise' || v === 'no interval';

const isCompareCell = (c: unknown): c is CompareCellView =>
  isObject(c) &&
  isString(c.value) &&
  isNullableString(c.change) &&
  isNullableString(c.interval) &&
  isVerdict(c.verdict) &&
  (c.tone === 'better' || c.tone === 'worse' || c.tone === 'neutral');

const isCompareRow = (v: unknown): v is CompareRowView =>
  isObject(v) && isString(v.id) && isString(v.label) && isArrayOf(v.cells, isCompareCell);

const isCompareSection = (v: unknown): v is CompareSectionView =>
  isObject(v) && isString(v.title) && isNullableString(v.hint) && isArrayOf(v.rows, isCompareRow);

const isPredictionCheck = (v: unknown): v is PredictionCheckView =>
  isObject(v) &&
  isString(v.recommendation) &&
  isString(v.fromRun) &&
  isString(v.toRun) &&
  isString(v.verdict) &&
  (v.withinRange === null || typeof v.withinRange === 'boolean');

const isRunView = (r: unknown): r is { label: string; detail: string } =>
  isObject(r) && isString(r.label) && isString(r.detail);

export function isCompareView(v: unknown): v is CompareView {
  return (
    isObject(v) &&
    v.kind === 'compare' &&
    isArrayOf(v.runs, isRunView) &&
    isArrayOf(v.sections, isCompareSection) &&
    isArrayOf(v.predictions, isPredictionCheck) &&
    isNullableString(v.series) &&
    isString(v.method) &&
    (v.pictures === undefined || isArrayOf(v.pictures, (f) => isPictureNode(f)))
  );
}
