// `npm run bench`: how fast and how lean `kvm-trace-lens analyze` is on large inputs.
// Builds large inputs from one real recording (shifted copies, see bench-lib/generate.mjs), runs the built CLI on each
// in a child process, and prints wall time, throughput, peak RSS, time to first progress, and — when trace-cmd is
// installed — the time `trace-cmd report X.dat > /dev/null` takes for the same events.
//
//   node scripts/bench.mjs [--sizes 100M,1G] [--1g] [--runs N] [--no-dat] [--no-build] [--regen] [--dir DIR]
//
// Default: ~100 MB of text (and its .dat). --1g adds ~1 GB. Generated files are kept in DIR (default
// $TMPDIR/kvm-trace-lens-bench) and reused. Results go to bench-results.json in the repository root.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cached, convertToV6, loadRecording, writeScaledDat, writeScaledText } from './bench-lib/generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RECORDING =
  process.env.KVM_TRACE_LENS_BENCH_SAMPLE ??
  join(root, 'test', 'fixtures', 'guest-trace', 'tcprr-cross-poll0.report.txt.gz');
const RECORDING_DAT = process.env.KVM_TRACE_LENS_BENCH_SAMPLE
  ? RECORDING.replace(/\.report\.txt\.gz$/, '.dat')
  : join(root, 'samples', 'guest-trace', 'tcprr-cross-poll0.dat');

function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)B?$/i.exec(s.trim());
  if (!m) throw new Error(`bad size "${s}" (e.g. 100M, 1G)`);
  return Number(m[1]) * { '': 1, K: 1e3, M: 1e6, G: 1e9 }[m[2].toUpperCase()];
}

function parseArgs(argv) {
  const o = {
    sizes: [100e6],
    runs: null,
    dat: true,
    build: true,
    regen: false,
    dir: join(tmpdir(), 'kvm-trace-lens-bench'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--sizes') o.sizes = argv[++i].split(',').map(parseSize);
    else if (a === '--1g') o.sizes.push(1e9);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--no-dat') o.dat = false;
    else if (a === '--no-build') o.build = false;
    else if (a === '--regen') o.regen = true;
    else if (a === '--dir') o.dir = argv[++i];
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const haveTime = existsSync('/usr/bin/time');
const haveTraceCmd = spawnSync('trace-cmd', ['--version'], { stdio: 'ignore' }).error === undefined;

/**
 * Runs a command once; wall time measured here, peak RSS by /usr/bin/time (the whole process), else by a node
 * wrapper reading process.resourceUsage() at exit (node commands only).
 */
function measure(cmd, args, { captureStdout, env }) {
  const rssFile = join(tmpdir(), `kvm-trace-lens-bench-rss-${process.pid}.txt`);
  let argv;
  if (haveTime) argv = ['/usr/bin/time', '-f', '%M %U %S', '-o', rssFile, cmd, ...args];
  else if (cmd === process.execPath) {
    const wrapper =
      `process.on('exit',()=>require('fs').writeFileSync(${JSON.stringify(rssFile)},` +
      `String(process.resourceUsage().maxRSS)));` +
      `process.argv.splice(1,1);require(process.argv[1])`;
    argv = [cmd, '-e', wrapper, '--', ...args];
  } else argv = [cmd, ...args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: root,
    stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'],
    maxBuffer: 256 << 20,
    encoding: 'utf8',
    env: env ? { ...process.env, ...env } : process.env,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error || r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr.slice(-500)}`);
  let rssKB = null;
  let cpuMs = null;
  if (existsSync(rssFile)) {
    const [rss, user, sys] = readFileSync(rssFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    rssKB = rss;
    if (user !== undefined && sys !== undefined) cpuMs = (user + sys) * 1000;
    spawnSync('rm', ['-f', rssFile]);
  }
  return { ms, rssKB, cpuMs, stdout: r.stdout };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

function runCli(file, env) {
  return measure(process.execPath, [join(root, 'dist', 'cli.js'), 'analyze', file, '--json'], {
    captureStdout: true,
    env,
  });
}

/**
 * The trace.dat is timed both ways: read in a worker thread while the model runs on the main thread (the default on
 * 2+ cores), and everything on one thread.
 */
const DAT_WAYS = [
  { label: 'trace.dat (v6, uncompressed), reader thread', env: { KVM_TRACE_LENS_PARALLEL: 'on' } },
  { label: 'trace.dat (v6, uncompressed), one thread', env: { KVM_TRACE_LENS_PARALLEL: 'off' } },
];

/** Our runs of one input, each with the trace-cmd run made just before it (other load on the machine hits both). */
function summariseCli(all, traceCmdRuns) {
  const analysis = JSON.parse(all[0].stdout);
  const input = analysis.inputs[0];
  return {
    ms: median(all.map((r) => r.ms)),
    runsMs: all.map((r) => Math.round(r.ms)),
    rssKB: Math.max(...all.map((r) => r.rssKB ?? 0)) || null,
    ratio: traceCmdRuns ? median(all.map((r, i) => r.ms / traceCmdRuns[i].ms)) : null,
    cpuRatio:
      traceCmdRuns && all.every((r, i) => r.cpuMs && traceCmdRuns[i].cpuMs)
        ? median(all.map((r, i) => r.cpuMs / traceCmdRuns[i].cpuMs))
        : null,
    records: input.records,
    format: input.format,
    error: input.error,
    exitsTotal: analysis.exits?.total ?? null,
    transactions: analysis.transactions?.count ?? null,
  };
}

function firstProgress(bundle, file, env) {
  const r = measure(process.execPath, [bundle, file], { captureStdout: true, env });
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function summariseTraceCmd(all) {
  return { ms: median(all.map((r) => r.ms)), rssKB: Math.max(...all.map((r) => r.rssKB ?? 0)) || null };
}

function gitDescribe() {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  const dirty =
    spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' }).stdout.trim() !== '';
  return dirty ? `${head} (+ uncommitted src changes)` : head;
}

const mb = (bytes) => bytes / 1e6;
const fmt = (n, d = 1) => (n === null || n === undefined || Number.isNaN(n) ? '–' : n.toFixed(d));

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  mkdirSync(opts.dir, { recursive: true });
  if (opts.build) {
    const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  const bundle = join(opts.dir, 'first-progress.cjs');
  const { build } = await import('esbuild');
  const bundleOptions = { bundle: true, minify: true, platform: 'node', format: 'cjs', target: 'node20' };
  await build({
    entryPoints: [join(root, 'scripts', 'bench-lib', 'firstProgress.ts')],
    outfile: bundle,
    ...bundleOptions,
    logLevel: 'warning',
  });
  // the first-progress bundle starts its trace.dat and trace-text workers from these files beside it
  for (const [source, out] of [
    [['tracedat', 'streamWorker.ts'], 'tracedatWorker.js'],
    [['tracedat', 'readerWorker.ts'], 'tracedatReaderWorker.js'],
    [['readers', 'traceTextWorker.ts'], 'traceTextWorker.js'],
  ]) {
    await build({
      entryPoints: [join(root, 'src', 'core', ...source)],
      outfile: join(opts.dir, out),
      ...bundleOptions,
      logLevel: 'warning',
    });
  }

  process.stderr.write(`reading ${RECORDING}\n`);
  const rec = loadRecording(RECORDING);
  let datNote = null;
  let v6 = null;
  if (!opts.dat) datNote = '.dat skipped (--no-dat)';
  else if (!haveTraceCmd) datNote = '.dat skipped: trace-cmd is not installed (apt-get install -y trace-cmd)';
  else if (!existsSync(RECORDING_DAT)) datNote = `.dat skipped: no ${RECORDING_DAT}`;
  else {
    v6 = join(opts.dir, 'base-v6.dat');
    const err = convertToV6(RECORDING_DAT, v6);
    if (err) {
      datNote = `.dat skipped: ${err}`;
      v6 = null;
    }
  }
  if (datNote) process.stderr.write(`${datNote}\n`);

  const rows = [];
  for (const target of opts.sizes) {
    const copies = Math.max(1, Math.round(target / rec.copyBytes));
    const runs = opts.runs ?? (target > 500e6 ? 1 : 3);
    const [text, haveText] = cached(opts.dir, `scaled-${copies}x.report.txt`);
    if (!haveText || opts.regen) {
      process.stderr.write(`writing ${copies} copies → ${text}\n`);
      await writeScaledText(rec, copies, text);
    }
    const inputs = [{ kind: 'text', file: text, label: 'trace-cmd report text', env: undefined }];
    if (v6) {
      const [dat, haveDat] = cached(opts.dir, `scaled-${copies}x.dat`);
      let err = null;
      if (!haveDat || opts.regen) {
        process.stderr.write(`writing ${copies} copies → ${dat}\n`);
        err = await writeScaledDat(v6, rec.cpus, rec.shiftNs, copies, dat);
      }
      if (err) process.stderr.write(`.dat skipped: ${err}\n`);
      else for (const way of DAT_WAYS) inputs.push({ kind: 'dat', file: dat, ...way });
    }
    // interleaved: trace-cmd, then ours on each input, run after run, so that both see the same machine load
    const datFile = v6 && inputs.length > 1 ? inputs[1].file : null;
    const tcRuns = [];
    const ourRuns = inputs.map(() => []);
    for (let run = 0; run < runs; run++) {
      if (datFile) {
        process.stderr.write(`trace-cmd report ${datFile} (run ${run + 1}/${runs})\n`);
        tcRuns.push(measure('trace-cmd', ['report', datFile], { captureStdout: false }));
      }
      inputs.forEach((input, k) => {
        process.stderr.write(
          `analyze ${input.file} ${input.env ? JSON.stringify(input.env) : ''} (run ${run + 1}/${runs})\n`,
        );
        ourRuns[k].push(runCli(input.file, input.env));
      });
    }
    const traceCmd = datFile ? summariseTraceCmd(tcRuns) : null;
    for (const [k, input] of inputs.entries()) {
      const bytes = statSync(input.file).size;
      const cli = summariseCli(ourRuns[k], datFile ? tcRuns : null);
      const first = firstProgress(bundle, input.file, input.env);
      rows.push({
        input: input.label,
        file: input.file,
        copies,
        bytes,
        events: cli.records,
        runs,
        wallMs: Math.round(cli.ms),
        runsMs: cli.runsMs,
        mbPerSec: mb(bytes) / (cli.ms / 1000),
        eventsPerSec: cli.records / (cli.ms / 1000),
        peakRssMB: cli.rssKB === null ? null : cli.rssKB / 1024,
        firstProgressMs: first.firstMs === null ? null : Math.round(first.firstMs),
        firstProgressBytes: first.firstBytes,
        traceCmdReportMs: traceCmd ? Math.round(traceCmd.ms) : null,
        traceCmdPeakRssMB: traceCmd?.rssKB ? traceCmd.rssKB / 1024 : null,
        ratioToTraceCmd: cli.ratio,
        cpuRatioToTraceCmd: cli.cpuRatio,
        exitsTotal: cli.exitsTotal,
        transactions: cli.transactions,
        error: cli.error,
      });
    }
  }

  const env = {
    date: new Date().toISOString().slice(0, 10),
    commit: gitDescribe(),
    node: process.version,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    traceCmd: haveTraceCmd
      ? (spawnSync('trace-cmd', ['--version'], { encoding: 'utf8' }).stdout.match(/version (\S+)/)?.[1] ?? 'yes')
      : null,
    recording: RECORDING,
    recordingEvents: rec.eventLines,
    shiftNs: rec.shiftNs,
  };
  writeFileSync(join(root, 'bench-results.json'), `${JSON.stringify({ env, datNote, rows }, null, 2)}\n`);

  const header = [
    'input',
    'size MB',
    'events',
    'wall s',
    'MB/s',
    'events/s',
    'peak RSS MB',
    'first progress ms',
    'trace-cmd report s',
    'ours ÷ trace-cmd (wall)',
    'ours ÷ trace-cmd (CPU)',
  ];
  const lines = rows.map((r) => [
    r.input,
    fmt(mb(r.bytes), 0),
    r.events.toLocaleString('en-US'),
    fmt(r.wallMs / 1000, 2),
    fmt(r.mbPerSec, 1),
    `${fmt(r.eventsPerSec / 1e6, 2)} M`,
    fmt(r.peakRssMB, 0),
    r.firstProgressMs === null ? '–' : String(r.firstProgressMs),
    r.traceCmdReportMs === null ? '–' : fmt(r.traceCmdReportMs / 1000, 2),
    r.ratioToTraceCmd === null ? '–' : fmt(r.ratioToTraceCmd, 2),
    r.cpuRatioToTraceCmd === null ? '–' : fmt(r.cpuRatioToTraceCmd, 2),
  ]);
  console.log(
    `\n${env.date}, commit ${env.commit}, node ${env.node}, ${env.cpu}, ${env.memoryGiB} GiB RAM, trace-cmd ` +
      `${env.traceCmd ?? 'not installed'}`,
  );
  console.log(
    `inputs: ${RECORDING} (${rec.eventLines} events) repeated with timestamps shifted by ${rec.shiftNs / 1e6} ms ` +
      `per copy`,
  );
  if (datNote) console.log(datNote);
  console.log(`\n| ${header.join(' | ')} |\n|${header.map((h, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const l of lines) console.log(`| ${l.join(' | ')} |`);
  console.log(
    `\nwall: median of the runs of \`node dist/cli.js analyze FILE --json\` (start-up included); peak RSS: ` +
      `/usr/bin/time %M;`,
  );
  console.log(
    'first progress: process start → first onProgress (trace.dat: its header read; text: the first chunks ' +
      'analysed); trace-cmd report: same events, `> /dev/null`.',
  );
  console.log('ratios: median over runs of ours ÷ the trace-cmd run just before it (wall; CPU = user + system time).');
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} cores`,
  );
  console.log(`results: ${join(root, 'bench-results.json')}`);
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.message}\n`);
  process.exitCode = 1;
});
