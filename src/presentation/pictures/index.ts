// Pure SVG pictures for the HTML report (no scripts) and the panels: strings in, strings out.
export { PICTURE_CSS } from './svg';
export { renderTransactionTimeline, type TimelineOptions } from './transactionTimeline';
export { renderHistogram, pollWindowFromSetting, shareCovered, type HistogramInput } from './histogram';
export { renderExitDurations, type ExitDurationRow } from './exitDurations';
export { renderExitRate, type ExitRateInput } from './exitRate';
export {
  renderOverlaidHistograms,
  renderGroupedBars,
  type OverlaidHistogramsInput,
  type GroupedBarsInput,
} from './compareRuns';
export {
  analysisPictures,
  comparePictures,
  recommendedPollWindowNs,
  type AnalysisPictures,
  type DrawnTransaction,
} from './fromAnalysis';
export { pictureTree, type PictureNode } from './tree';
