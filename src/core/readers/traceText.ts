// STUB: to be replaced by the real reader.
import type { TextFormatReader } from '../records';

export const traceTextReader: TextFormatReader = {
  formats: ['trace-cmd-report', 'ftrace', 'perf-script'],
  detect: () => null,
  create: () => ({ line: () => {}, end: () => {} }),
};
