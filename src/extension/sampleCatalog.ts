// The samples the extension ships (samples/ in the .vsix) and the Open Sample command offers. No vscode import, so
// that a test can check every entry against the repository and the package.

export interface BundledSample {
  /** The argument `kvmTraceLens.openSample` takes to open this sample without asking (walkthrough links). */
  id: string;
  /** Path under samples/. */
  path: string;
  label: string;
  detail: string;
  /** trace.dat files open in the extension's trace.dat editor, the rest as text beside the Analysis panel. */
  opensIn: 'trace-dat-editor' | 'text-editor';
}

export const BUNDLED_SAMPLES: readonly BundledSample[] = [
  {
    id: 'tcprr-poll0',
    path: 'guest-trace/tcprr-cross-poll0.dat',
    label: 'Guest TCP_RR, halt polling off (trace.dat)',
    detail: 'netperf TCP_RR over loopback on 2 vCPUs, 1 s: 16,745.77 trans/s measured',
    opensIn: 'trace-dat-editor',
  },
  {
    id: 'tcprr-poll200000',
    path: 'guest-trace/tcprr-cross-poll200000.dat',
    label: 'Guest TCP_RR, guest_halt_poll_ns=200000 (trace.dat)',
    detail: 'the same run with guest halt polling on: 82,742.26 trans/s measured',
    opensIn: 'trace-dat-editor',
  },
  {
    id: 'perf-kvm-stat',
    path: 'perf-kvm-stat/perf-kvm-stat-report-classic-preemption-timer.txt',
    label: 'perf kvm stat report (Intel VMX host)',
    detail: 'published output of `perf kvm stat report`: exits per reason with times',
    opensIn: 'text-editor',
  },
  {
    id: 'iperf3-json',
    path: 'iperf/iperf3-tcp.json',
    label: 'iperf3 --json, TCP over loopback in the guest',
    detail: 'iperf 3.12, 1 stream, 2 s',
    opensIn: 'text-editor',
  },
  {
    id: 'netperf-tcp-rr',
    path: 'netperf/netperf-tcp-rr-demo.txt',
    label: 'netperf TCP_RR with interim results',
    detail: '3 s, 74,009.88 trans/s',
    opensIn: 'text-editor',
  },
  {
    id: 'netperf-tcp-stream',
    path: 'netperf/netperf-tcp-stream-cpu.txt',
    label: 'netperf TCP_STREAM with CPU utilisation',
    detail: '2 s, 23,383.41 10^6 bits/s',
    opensIn: 'text-editor',
  },
];

/** The sample Open Sample opens when asked by id, or null for an unknown id. */
export function bundledSample(id: unknown): BundledSample | null {
  return BUNDLED_SAMPLES.find((s) => s.id === id) ?? null;
}
