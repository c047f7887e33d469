// STUB: to be replaced by the real reader.
import type { TextFormatReader } from '../records';

export const netperfReader: TextFormatReader = {
  formats: ['netperf'],
  detect: () => null,
  create: () => ({ line: () => {}, end: () => {} }),
};
