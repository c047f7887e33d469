// Every text format reader, in detection order (most specific first).
import type { InputFormat, TextFormatReader } from '../records';
import { countTableReader } from './countTables';
import { iperfReader } from './iperf';
import { netperfReader } from './netperf';
import { traceTextReader } from './traceText';

export const TEXT_READERS: readonly TextFormatReader[] = [
  iperfReader,
  netperfReader,
  countTableReader,
  traceTextReader,
];

export function readerFor(format: InputFormat): TextFormatReader | undefined {
  return TEXT_READERS.find((r) => r.formats.includes(format));
}
