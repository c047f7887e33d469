// `record`: enable the events the model needs, run the benchmark alongside, and write a run folder
// (trace, benchmark output, system.json, record.json). tracefs is put back as it was on success, failure and Ctrl-C.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { type CaptureSide, type WantedEvent, eventsFor } from './events';
import { CaptureError, TRACEFS_CANDIDATES, Tracefs, findTracefs } from './tracefs';
import { readSystemState } from './systemState';
import { haltCountersDelta, readKvmHaltCounters } from './kvmDebugfs';
import { RUN_FILES, type RecordManifest } from './runFolder';

export interface RecordOptions {
  side: CaptureSide;
  /** How long to trace; with a benchmark, at most this long (the benchmark still runs to its end). */
  seconds: number | null;
  outDir: string;
  /** The benchmark's argv; empty for none. */
  benchmark: readonly string[];
}

/** Everything `record` touches outside its run folder, injectable for tests. */
export interface RecordEnvironment {
  tracefsCandidates: readonly string[];
  /** Root of the /proc and /sys that system.json is read from. */
  systemRoot: string;
  isRoot: () => boolean;
  /** Tries to mount tracefs on `dir`; true when it then is mounted. */
  mountTracefs: (dir: string) => boolean;
  /** Path of trace-cmd, or null to use tracefs alone. */
  traceCmd: string | null;
  log: (line: string) => void;
  /** Installs a handler for SIGINT/SIGTERM; returns its removal. */
  onInterrupt: (handler: (signal: string) => void) => () => void;
  /** Ends the process after an interrupt (tests replace it). */
  exit: (code: number) => void;
}

export type RecordMethod = 'trace-cmd record' | 'tracefs + trace-cmd extract' | 'tracefs trace text';

export interface RecordResult {
  outDir: string;
  manifest: RecordManifest;
  /** Problems worth telling (missing events, overruns, a failing benchmark); the run folder is still usable. */
  warnings: string[];
  benchmarkFailed: boolean;
}

export const DEFAULT_SECONDS = 10;
/** Loopback TCP_RR in a 2-vCPU guest here: ~530,000 guest events/s (4 MB per CPU lost 85 % of them in 1 s). */
const KB_PER_CPU_SECOND = 32 * 1024;
const MIN_BUFFER_KB = 8 * 1024;
const MAX_BUFFER_KB = 256 * 1024;

/** Per-CPU ring buffer size for a recording of `seconds`, leaving three quarters of the available memory alone. */
export function bufferKbPerCpu(seconds: number, cpus: number, memAvailableKb: number | null): number {
  const wanted = Math.min(MAX_BUFFER_KB, Math.max(MIN_BUFFER_KB, Math.ceil(seconds * KB_PER_CPU_SECOND)));
  if (memAvailableKb === null) return wanted;
  return Math.max(1024, Math.min(wanted, Math.floor(memAvailableKb / 4 / Math.max(1, cpus))));
}

export function defaultEnvironment(log: (line: string) => void): RecordEnvironment {
  const which = spawnSync('sh', ['-c', 'command -v trace-cmd'], { encoding: 'utf8' });
  return {
    tracefsCandidates: TRACEFS_CANDIDATES,
    systemRoot: '/',
    isRoot: () => process.getuid?.() === 0,
    mountTracefs: (dir) => spawnSync('mount', ['-t', 'tracefs', 'nodev', dir]).status === 0,
    traceCmd: which.status === 0 && which.stdout.trim() ? which.stdout.trim() : null,
    log,
    onInterrupt: (handler) => {
      const onSigint = () => handler('SIGINT');
      const onSigterm = () => handler('SIGTERM');
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigterm);
      return () => {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigterm);
      };
    },
    exit: (code) => process.exit(code),
  };
}

function openTracefs(env: RecordEnvironment): Tracefs {
  let root = findTracefs(env.tracefsCandidates);
  const mountPoint = env.tracefsCandidates.find((d) => existsSync(d));
  if (root === null && mountPoint !== undefined && env.mountTracefs(mountPoint))
    root = findTracefs(env.tracefsCandidates);
  if (root === null) {
    throw new CaptureError(
      `no tracefs: none of ${env.tracefsCandidates.join(', ')} is a mounted tracefs. Mount it ` +
        '(mount -t tracefs nodev /sys/kernel/tracing); the kernel needs CONFIG_FTRACE and CONFIG_EVENT_TRACING.',
    );
  }
  return new Tracefs(root);
}

function prepareOutDir(dir: string): void {
  if (existsSync(join(dir, RUN_FILES.record))) {
    throw new CaptureError(`${dir} already holds a recorded run (${RUN_FILES.record}); choose another --out`);
  }
  mkdirSync(dir, { recursive: true });
}

function memAvailableKb(root: string): number | null {
  try {
    const m = /^MemAvailable:\s+(\d+)\s+kB/m.exec(readFileSync(join(root, 'proc/meminfo'), 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The benchmark, its stdout and stderr going straight to files so they are kept even when it fails. */
class Benchmark {
  readonly done: Promise<{ exitCode: number | null; signal: string | null; error: string | null }>;
  private child: ChildProcess | null = null;
  constructor(argv: readonly string[], stdoutPath: string, stderrPath: string) {
    const out = openSync(stdoutPath, 'w');
    const err = openSync(stderrPath, 'w');
    this.done = new Promise((resolve) => {
      const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', out, err] });
      this.child = child;
      child.on('error', (e) => {
        appendFileSync(stderrPath, `kvm-trace-lens: cannot run ${argv[0]}: ${e.message}\n`);
        resolve({ exitCode: null, signal: null, error: e.message });
      });
      child.on('exit', (code, signal) => resolve({ exitCode: code, signal, error: null }));
    }).finally(() => {
      closeSync(out);
      closeSync(err);
    }) as Benchmark['done'];
  }
  kill(): void {
    this.child?.kill('SIGTERM');
  }
}

/** `trace-cmd record` in the background: resolves true once it records, false when it gave up (its reason logged). */
function startTraceCmdRecord(
  env: RecordEnvironment,
  events: readonly WantedEvent[],
  bufferKb: number,
  out: string,
): Promise<{ child: ChildProcess; ok: boolean; reason: string }> {
  const args = ['record', '-b', String(bufferKb), ...events.flatMap((e) => ['-e', e.id]), '-o', out];
  const child = spawn(env.traceCmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (/Hit Ctrl\^C to stop recording/.test(text)) resolve({ child, ok: true, reason: '' });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', (e) => resolve({ child, ok: false, reason: e.message }));
    child.on('exit', (code) =>
      resolve({
        child,
        ok: false,
        reason: `exited with status ${code}: ${text.trim().split('\n').slice(-2).join(' ')}`,
      }),
    );
    setTimeout(() => resolve({ child, ok: false, reason: 'did not start recording within 10 s' }), 10_000);
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => child.once('exit', () => r()));
}

/** Waits for the benchmark (at most `seconds` when given) or, without one, `seconds`. */
async function runWindow(options: RecordOptions, benchmark: Benchmark | null): Promise<void> {
  if (!benchmark) return sleep((options.seconds ?? DEFAULT_SECONDS) * 1000);
  if (options.seconds === null) {
    await benchmark.done;
    return;
  }
  await Promise.race([benchmark.done, sleep(options.seconds * 1000)]);
}

export async function record(options: RecordOptions, env: RecordEnvironment): Promise<RecordResult> {
  if (!env.isRoot())
    throw new CaptureError('record needs root to write to tracefs: run it with sudo (sudo kvm-trace-lens record …)');
  const tracefs = openTracefs(env);
  const wanted = eventsFor(options.side);
  const available = wanted.filter((e) => tracefs.hasEvent(e.id));
  const missing = wanted.filter((e) => !tracefs.hasEvent(e.id));
  // Host recordings are about KVM: the scheduler events alone would record nothing the model can use.
  if (available.filter((e) => options.side === 'guest' || e.id.startsWith('kvm:')).length === 0) {
    throw new CaptureError(
      `none of the ${options.side}-side events exist in ${join(tracefs.root, 'events')} ` +
        `(${wanted.map((e) => e.id).join(', ')})${options.side === 'host' ? ': is the kvm module loaded?' : ''}`,
    );
  }
  prepareOutDir(options.outDir);
  const warnings: string[] = [];
  if (missing.length > 0) {
    const lacking = missing.map((e) => `${e.id} (${e.purpose})`).join(', ');
    warnings.push(`this kernel lacks ${lacking}; recording the other ${available.length} events`);
  }
  const system = readSystemState(env.systemRoot);
  writeFileSync(join(options.outDir, RUN_FILES.system), `${JSON.stringify(system, null, 2)}\n`);
  const seconds = options.seconds ?? DEFAULT_SECONDS;
  const bufferKb = bufferKbPerCpu(seconds, system.cpu.count ?? 1, memAvailableKb(env.systemRoot));
  const manifest: RecordManifest = {
    schema: 'kvm-trace-lens/record@1',
    side: options.side,
    method: null,
    events: available.map((e) => e.id),
    missingEvents: missing.map((e) => e.id),
    bufferKbPerCpu: bufferKb,
    seconds: options.seconds,
    benchmark: options.benchmark.length
      ? { argv: [...options.benchmark], exitCode: null, signal: null, error: null }
      : null,
    overruns: null,
    startedAt: new Date().toISOString(),
    files: [],
  };
  // Host side: KVM's own halt-poll counters over the same window, when debugfs shows them.
  const countersBefore = options.side === 'host' ? readKvmHaltCounters(env.systemRoot) : new Map<string, number>();
  const saved = tracefs.saveState();
  let benchmark: Benchmark | null = null;
  let traceCmdChild: ChildProcess | null = null;
  const restore = () => {
    for (const f of tracefs.restoreState(saved)) warnings.push(`could not restore tracefs ${f}`);
  };
  const removeHandler = env.onInterrupt((signal) => {
    // Ctrl-C: stop everything we started and put tracefs back before the process ends.
    benchmark?.kill();
    traceCmdChild?.kill('SIGINT');
    restore();
    manifest.interrupted = signal;
    writeManifest(options.outDir, manifest);
    env.log(`kvm-trace-lens: interrupted (${signal}); tracefs restored; partial run in ${options.outDir}`);
    env.exit(130);
  });
  try {
    const startBenchmark = () => {
      if (options.benchmark.length === 0) return null;
      env.log(`kvm-trace-lens: running ${options.benchmark.join(' ')}`);
      return new Benchmark(
        options.benchmark,
        join(options.outDir, RUN_FILES.benchmark),
        join(options.outDir, RUN_FILES.benchmarkStderr),
      );
    };
    let recorded = false;
    if (env.traceCmd) {
      const started = await startTraceCmdRecord(env, available, bufferKb, join(options.outDir, RUN_FILES.traceDat));
      traceCmdChild = started.child;
      if (started.ok) {
        benchmark = startBenchmark();
        await runWindow(options, benchmark);
        started.child.kill('SIGINT');
        await exited(started.child);
        manifest.method = 'trace-cmd record';
        recorded = existsSync(join(options.outDir, RUN_FILES.traceDat));
      } else {
        started.child.kill('SIGKILL');
        await exited(started.child);
        env.log(`kvm-trace-lens: trace-cmd record ${started.reason}; recording through tracefs instead`);
        // trace-cmd may have changed tracefs before failing: start from the saved state again.
        restore();
      }
      traceCmdChild = null;
    }
    if (!recorded) {
      tracefs.write('tracing_on', '0');
      tracefs.write('trace', '');
      tracefs.write('buffer_size_kb', String(bufferKb));
      tracefs.setEvents(available.map((e) => e.id));
      tracefs.write('tracing_on', '1');
      benchmark = startBenchmark();
      await runWindow(options, benchmark);
      tracefs.write('tracing_on', '0');
      manifest.overruns = tracefs.overruns();
      manifest.method = await saveTrace(tracefs, env, options.outDir);
      tracefs.write('trace', '');
    }
    if (countersBefore.size > 0) {
      const delta = haltCountersDelta(countersBefore, readKvmHaltCounters(env.systemRoot));
      if (delta) writeFileSync(join(options.outDir, RUN_FILES.kvmHaltCounters), delta);
    }
    if (benchmark) Object.assign(manifest.benchmark!, await benchmark.done);
  } finally {
    restore();
    removeHandler();
  }
  if (manifest.overruns)
    warnings.push(
      `${manifest.overruns} events were lost to full buffers (${bufferKb} KB per CPU): record fewer seconds`,
    );
  manifest.files = readdirSync(options.outDir)
    .filter((f) => statSync(join(options.outDir, f)).isFile())
    .sort();
  writeManifest(options.outDir, manifest);
  const b = manifest.benchmark;
  const benchmarkFailed = b !== null && (b.error !== null || b.exitCode !== 0);
  if (benchmarkFailed) {
    const how = b.error
      ? `could not run (${b.error})`
      : b.signal
        ? `was killed by ${b.signal}`
        : `exited with status ${b.exitCode}`;
    const files = `${join(options.outDir, RUN_FILES.benchmark)} and ${join(options.outDir, RUN_FILES.benchmarkStderr)}`;
    warnings.push(`the benchmark ${how}; its output is in ${files}`);
  }
  return { outDir: options.outDir, manifest, warnings, benchmarkFailed };
}

/** The stopped buffers to disk: `trace-cmd extract` to trace.dat, else the `trace` text file. */
async function saveTrace(tracefs: Tracefs, env: RecordEnvironment, outDir: string): Promise<RecordMethod> {
  if (env.traceCmd) {
    const r = spawnSync(env.traceCmd, ['extract', '-o', join(outDir, RUN_FILES.traceDat)], { encoding: 'utf8' });
    if (r.status === 0 && existsSync(join(outDir, RUN_FILES.traceDat))) return 'tracefs + trace-cmd extract';
    const why = (r.stderr ?? r.error?.message ?? '').trim().split('\n').pop();
    env.log(`kvm-trace-lens: trace-cmd extract failed (${why}); saving the trace text instead`);
  }
  await pipeline(createReadStream(join(tracefs.root, 'trace')), createWriteStream(join(outDir, RUN_FILES.traceText)));
  return 'tracefs trace text';
}

function writeManifest(dir: string, manifest: RecordManifest): void {
  writeFileSync(join(dir, RUN_FILES.record), `${JSON.stringify(manifest, null, 2)}\n`);
}
