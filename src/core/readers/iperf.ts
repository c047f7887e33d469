// STUB: to be replaced by the real reader.
import type { TextFormatReader } from '../records';

export const iperfReader: TextFormatReader = {
  formats: ['iperf3-json', 'iperf3-text', 'iperf2-text'],
  detect: () => null,
  create: () => ({ line: () => {}, end: () => {} }),
};
