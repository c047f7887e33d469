// The analysis model's own cost, without the reader: every record of one input is read into memory first, then fed
// to a fresh Analyzer (as analyze.ts does) and finished; only that is timed, in CPU time of this process.
// Usage: node --import tsx scripts/bench-model.ts FILE [rounds=3] [--profile OUT.cpuprofile [--profile-round N]]
//   [--components]
// With --profile, round 1 alone is profiled (the model without the reading; --profile-round N: round N, a warm one
// from N = 3 on); --components first times each part of
// the per-event path alone (cold: run it in a process of its own to compare with round 1).
// Round 1 is what a CLI run pays (cold JIT); later rounds show the warmed cost. Records are not changed by the model,
// so every round sees the same input.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { readInput } from '../src/core/input';
import { Analyzer } from '../src/core/model/analyzer';
import { RunSplitter } from '../src/core/model/runs';
import { eventKind } from '../src/core/model/eventKinds';
import { HostEventCollector } from '../src/core/model/hostEvents';
import { TraceModel } from '../src/core/model/traceModel';
import { TransactionSketchCollector } from '../src/core/model/transactionSketch';
import type { InputRecord, TraceEvent } from '../src/core/records';

async function main(
  file: string,
  rounds: number,
  profile: { out: string; round: number } | null,
  components: boolean,
): Promise<void> {
  const records: InputRecord[] = [];
  const readStart = process.cpuUsage();
  await readInput(file, (r) => records.push(r), { parallel: false });
  const read = process.cpuUsage(readStart);
  const events = records.filter((r) => r.type === 'event').length;
  console.log(`${file}: ${records.length} records (${events} events), read in ${cpuMs(read)} ms CPU`);
  if (components) timeComponents(records);
  for (let round = 1; round <= rounds; round++) {
    const session = round === profile?.round ? await startProfile() : null;
    const gcBefore = gcMs();
    const start = process.cpuUsage();
    const t0 = performance.now();
    const analyzer = new Analyzer(false);
    const runs = new RunSplitter(analyzer);
    for (const r of records) runs.add(r);
    const analysis = analyzer.finish();
    runs.attach(analysis);
    const cpu = cpuMs(process.cpuUsage(start));
    const wall = performance.now() - t0;
    if (session) await stopProfile(session, profile!.out);
    const perMillion = (cpu / events) * 1e6;
    await new Promise((resolve) => setTimeout(resolve, 50)); // GC entries arrive asynchronously
    const gc = gcMs() - gcBefore;
    console.log(
      `round ${round}: model ${cpu} ms CPU (${Math.round(wall)} ms wall, GC ~${Math.round(gc)} ms), ` +
        `${Math.round(perMillion)} ms CPU per million events`,
    );
  }
}

/**
 * Each part of the per-event path alone, on the same events (the sketch without the model's verdicts). Two passes:
 * the first touches every record and compiles the code (printed as "cold"), the second is the part's own cost.
 */
function timeComponents(records: readonly InputRecord[]): void {
  const events = records.filter((r): r is TraceEvent => r.type === 'event');
  for (const pass of ['cold', 'warm']) {
    console.log(`components, ${pass} pass (ms CPU per million events):`);
    const time = (label: string, feed: (ev: TraceEvent) => void) => {
      const start = process.cpuUsage();
      for (const ev of events) feed(ev);
      const cpu = cpuMs(process.cpuUsage(start));
      console.log(`  ${label}: ${Math.round((cpu / events.length) * 1e6)}`);
    };
    let kinds = 0;
    time('event kinds (name lookup)', (ev) => (kinds += eventKind(ev.name)));
    const hostEvents = new HostEventCollector();
    time('event counts and host event lists (hostEvents)', (ev) => hostEvents.add(ev));
    const model = new TraceModel();
    model.setRecordFacts(false);
    time('guest and host models, exit ledger, critical path (traceModel)', (ev) => model.add(ev));
    const sketches = new TransactionSketchCollector();
    time('transaction sketches (transactionSketch)', (ev) => sketches.add(ev));
    const analyzer = new Analyzer(false);
    for (const ev of events) analyzer.add(ev);
    const start = process.cpuUsage();
    analyzer.finish();
    console.log(`  summary and rules (finish, once after all events): ${cpuMs(process.cpuUsage(start))} ms`);
  }
}

function cpuMs(u: NodeJS.CpuUsage): number {
  return Math.round((u.user + u.system) / 1000);
}

/** Time spent in garbage collection so far (ms), from the perf_hooks GC entries. */
let gcTotal = 0;
function gcMs(): number {
  return gcTotal;
}

async function watchGc(): Promise<void> {
  const { PerformanceObserver } = await import('node:perf_hooks');
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcTotal += e.duration;
  });
  obs.observe({ entryTypes: ['gc'] });
}

async function startProfile(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 }); // µs: fine enough for line ticks
  await session.post('Profiler.start');
  return session;
}

async function stopProfile(session: Session, out: string): Promise<void> {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(out, JSON.stringify(profile));
  session.disconnect();
}

const args = process.argv.slice(2);
const profileAt = args.indexOf('--profile');
const profileOut = profileAt >= 0 ? args.splice(profileAt, 2)[1] : null;
const roundAt = args.indexOf('--profile-round');
const profileRound = roundAt >= 0 ? Number(args.splice(roundAt, 2)[1]) : 1;
const componentsAt = args.indexOf('--components');
if (componentsAt >= 0) args.splice(componentsAt, 1);
const [file, rounds] = args;
if (!file) {
  console.error(
    'usage: node --import tsx scripts/bench-model.ts FILE [rounds=3] [--profile OUT.cpuprofile [--profile-round N]] ' +
      '[--components]',
  );
  process.exitCode = 2;
} else {
  const profile = profileOut ? { out: profileOut, round: profileRound } : null;
  void watchGc().then(() => main(file, Number(rounds ?? 3), profile, componentsAt >= 0));
}
