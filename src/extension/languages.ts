// The editor languages of this extension (package.json `languages`) and which one a detected input format gets.
import { isTraceTextFormat, type InputFormat } from '../core/index';

export const LANGUAGE_IDS = ['kvm-trace', 'perf-kvm-stat', 'netperf', 'iperf'] as const;
export type TraceLanguage = (typeof LANGUAGE_IDS)[number];

/** The editor language for a detected input format; null when none of ours fits (iperf3 JSON stays JSON). */
export function languageForFormat(format: InputFormat | null): TraceLanguage | null {
  if (isTraceTextFormat(format)) return 'kvm-trace';
  switch (format) {
    case 'perf-kvm-stat':
    case 'kvm-stat':
      return 'perf-kvm-stat';
    case 'netperf':
      return 'netperf';
    case 'iperf3-text':
    case 'iperf2-text':
      return 'iperf';
    default:
      return null;
  }
}
