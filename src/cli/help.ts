// `--version`, `--help` and each command's help with examples. Answered before any argument parsing, so that
// `kvm-trace-lens analyze --help` works whatever else is on the line.
import { version } from '../../package.json';

const OVERVIEW = `kvm-trace-lens ${version} — why is this VM slow, and which knob fixes it

Reads perf kvm stat, trace-cmd / ftrace / perf script text, binary trace.dat, kvm_stat and netperf / iperf output,
counts the VM exits per reason and per transaction, and recommends halt polling, nohz / idle=poll, batching,
EOI mitigation or posted interrupts with the evidence from the run and a predicted effect.

usage:
  kvm-trace-lens analyze FILE... [--json] [--html OUT.html]
  kvm-trace-lens compare A.json B.json [--json]
  kvm-trace-lens compare --runs "A files" "B files" [--json]
  kvm-trace-lens record [--guest|--host] [--seconds N] [--out DIR] [-- BENCHMARK COMMAND ...]
  kvm-trace-lens export --perfetto OUT.json FILE...
  kvm-trace-lens COMMAND --help       a command's options and examples
  kvm-trace-lens --version

Inputs are recognised by content, not by name; gzip-compressed text is accepted too.
Exit status: 0 success (also with warnings), 1 no input could be used, 2 usage error.
`;

const COMMANDS: Record<string, string> = {
  analyze: `usage: kvm-trace-lens analyze FILE... [--json] [--html OUT.html]

Analyses the files as one run (e.g. a trace plus the netperf output of the same run) and prints the exits per
reason, request/response transactions, the benchmark's figures and the recommendations, best first.
FILE may be a trace.dat (v6/v7, zstd or not), trace-cmd report / ftrace / perf script text, perf kvm stat or
kvm_stat output, netperf or iperf2/iperf3 output (text or JSON), or a run folder written by \`record\`.

options:
  --json           print one JSON object on stdout (schema kvm-trace-lens/analysis@1, docs/analysis.schema.json)
  --html OUT.html  also write a self-contained HTML report

Progress and warnings (each naming file and line) go to stderr.

examples:
  kvm-trace-lens analyze trace.dat
  kvm-trace-lens analyze tcprr.report.txt.gz tcprr.netperf.txt
  kvm-trace-lens analyze perf-kvm-stat.txt --json > before.json
  kvm-trace-lens analyze trace.dat netperf.txt --html report.html
`,
  compare: `usage: kvm-trace-lens compare A.json [B.json...] [--json] [--html OUT.html]
       kvm-trace-lens compare --runs "A files" ["B files"...] [--json] [--html OUT.html]

Puts two or more runs side by side, the first as the baseline: exits per reason, per second and per transaction,
the benchmark's figures, and what the first run's recommendations predicted against what the later run measured.
Runs are either saved \`analyze --json\` outputs or, with --runs, each a quoted list of files analysed together.
An analysis that holds several runs (several perf kvm stat tables, repeated netperf iterations) is split into them,
one column each: one such file is enough.

options:
  --runs         each argument is one run's files (separated by spaces; run folders too), analysed first
  --json         print one JSON object on stdout (schema kvm-trace-lens/compare@1, docs/compare.schema.json)
  --html OUT     also write the comparison as a self-contained HTML page

examples:
  kvm-trace-lens analyze off.report.txt.gz off.netperf.txt --json > off.json
  kvm-trace-lens analyze on.report.txt.gz on.netperf.txt --json > on.json
  kvm-trace-lens compare off.json on.json
  kvm-trace-lens compare --runs "off.report.txt.gz off.netperf.txt" "on.report.txt.gz on.netperf.txt"
  kvm-trace-lens compare --runs perf-kvm-stat-before-after.txt --html compare.html
`,
  record: `usage: kvm-trace-lens record [--guest|--host] [--seconds N] [--out DIR] [-- BENCHMARK COMMAND ...]

Records a trace with the events the analysis needs (trace-cmd, or tracefs directly), runs the benchmark alongside,
writes a run folder DIR (the trace, the benchmark's output and system.json: kernel, command line, cpuidle,
halt-poll and KVM module parameters, CPU), then prints the analysis of DIR. Needs root; leaves tracefs as it was.

examples:
  sudo kvm-trace-lens record --guest --out run-poll0 -- netperf -H 10.0.0.2 -t TCP_RR -l 10
  sudo kvm-trace-lens record --host --seconds 10 --out host-run
`,
  export: `usage: kvm-trace-lens export --perfetto OUT.json FILE...

Writes the trace as JSON trace events ({"traceEvents": [...]}) that the Perfetto UI and chrome://tracing open:
slices per CPU / vCPU, and the request→reply hand-offs as flows.

examples:
  kvm-trace-lens export --perfetto tcprr.json trace.dat
  kvm-trace-lens export --perfetto tcprr.json tcprr.report.txt.gz
`,
};

const HELP_FLAGS = new Set(['--help', '-h']);

/** The text to print for --version / --help / `help CMD` / `CMD --help`, or null when the line asks for neither. */
export function helpRequest(argv: readonly string[]): string | null {
  const [first, second] = argv;
  if (first === '--version' || first === '-V') return `kvm-trace-lens ${version}\n`;
  if (first === undefined) return null;
  if (HELP_FLAGS.has(first) || first === 'help') return (second && COMMANDS[second]) || OVERVIEW;
  // what follows "--" is a benchmark's command line (record), whose own -h is not ours
  const ours = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  if (ours.some((a) => HELP_FLAGS.has(a))) return COMMANDS[first] ?? OVERVIEW;
  return null;
}
