// The payload readers of the text workers against the eventFields.ts parsers: on every payload they read they
// must give what the parser gives, on every payload of those events in the samples and fixtures, on edge cases and
// on payloads put together at random from the pieces the parsers' regexes branch on.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import {
  ScannedFields,
  scanCpuIdle,
  scanGuestMsr,
  scanIpiSendCpu,
  scanSchedSwitch,
  scanSchedWakeup,
} from '../../../src/core/readers/payloadScan';
import {
  parseCpuIdle,
  parseIpiTargets,
  parseMsrAccess,
  parseSchedSwitch,
  parseSchedWakeup,
} from '../../../src/core/eventFields';
import { lineEvent } from '../../../src/core/readers/traceText';
import { FIXTURES, SAMPLES, textFilesUnder } from '../../helpers/paths';
import { seededRandom } from '../../../src/core/stats/bootstrap';

const out = new ScannedFields();

/** What the byte reader for `name` gives for `payload`, as the parser's value; undefined when it declines. */
function scanned(name: string, payload: string): unknown {
  const b = Buffer.from(payload, 'latin1');
  const text = (from: number, to: number) => b.toString('latin1', from, to);
  switch (name) {
    case 'sched_switch':
      if (!scanSchedSwitch(b, 0, b.length, out)) return undefined;
      return {
        prevComm: text(out.s1Start, out.s1End),
        prevPid: out.n1,
        prevState: text(out.s2Start, out.s2End),
        nextComm: text(out.s3Start, out.s3End),
        nextPid: out.n2,
      };
    case 'sched_wakeup':
      if (!scanSchedWakeup(b, 0, b.length, out)) return undefined;
      return { comm: text(out.s1Start, out.s1End), pid: out.n1, targetCpu: out.n2 };
    case 'write_msr':
      if (!scanGuestMsr(b, 0, b.length, out)) return undefined;
      return { write: true, msr: out.n1, valueHex: out.hexStart < 0 ? null : text(out.hexStart, out.hexEnd) };
    case 'cpu_idle':
      if (!scanCpuIdle(b, 0, b.length, out)) return undefined;
      return { state: out.n1, cpu: out.n2 };
    case 'ipi_send_cpu':
      if (!scanIpiSendCpu(b, 0, b.length, out)) return undefined;
      return [out.n1];
  }
  return undefined;
}

function parsedBy(name: string, payload: string): unknown {
  switch (name) {
    case 'sched_switch':
      return parseSchedSwitch(payload);
    case 'sched_wakeup':
      return parseSchedWakeup(payload);
    case 'write_msr':
      return parseMsrAccess(name, payload);
    case 'cpu_idle':
      return parseCpuIdle(payload);
    default:
      return parseIpiTargets(name, payload);
  }
}

const NAMES = ['sched_switch', 'sched_wakeup', 'write_msr', 'cpu_idle', 'ipi_send_cpu'];

/** Asserts the reader agrees with the parser where it reads `payload`; whether it read it. */
function agrees(name: string, payload: string): boolean {
  const got = scanned(name, payload);
  if (got === undefined) return false;
  const want = parsedBy(name, payload);
  // -0 and 0 are one value in the Int32 columns the worker writes
  assert.deepEqual(JSON.parse(JSON.stringify(got)), JSON.parse(JSON.stringify(want)), `${name}: ${payload}`);
  return true;
}

test('every payload of these events in the samples and fixtures that a reader reads, it reads as the parser', () => {
  const read = new Map<string, number>();
  for (const path of [...textFilesUnder(SAMPLES), ...textFilesUnder(FIXTURES)]) {
    let bytes = readFileSync(path);
    try {
      if (path.endsWith('.gz')) bytes = gunzipSync(bytes);
    } catch {
      continue; // a damaged gzip fixture
    }
    for (const line of bytes.toString('latin1').split('\n')) {
      const ev = lineEvent(line.trimEnd(), 0);
      const name = ev?.name === 'sched_waking' || ev?.name === 'sched_wakeup_new' ? 'sched_wakeup' : ev?.name;
      if (!ev || !name || !NAMES.includes(name) || /[^\x20-\x7e]/.test(ev.payload)) continue;
      if (agrees(name, ev.payload)) read.set(name, (read.get(name) ?? 0) + 1);
    }
  }
  // the recording tcprr-cross-poll0 alone holds 52,399 sched_switch, 56,020 write_msr, 31,167 cpu_idle (grep -c)
  for (const name of NAMES) assert.ok((read.get(name) ?? 0) > 10_000, `${name}: ${read.get(name)}`);
});

test('payload edge cases: read as the parser reads them, or left to it', () => {
  const read: [string, string][] = [
    ['sched_switch', 'bash:21134 [120] R ==> bash:21137 [120]'],
    ['sched_switch', 'kworker/0:1:15 [120] R+ ==> :0 [-1]'],
    ['sched_switch', 'a b:c:1 [0] S ==> x:y z:-2 [-100]'],
    ['sched_switch', ':1 [1] S ==> :2 [2]'],
    ['sched_wakeup', 'MainThread:14389 [120] CPU:000'],
    ['sched_wakeup', 'kworker/0:1:15 [120] success=1 CPU:003'],
    ['sched_wakeup', 'a CPU:1:-1 [-5] CPU:7'],
    ['write_msr', '830, value fb'],
    ['write_msr', '6E0, value 19558CC86950'],
    ['write_msr', '830'],
    ['write_msr', '830 extra'],
    ['cpu_idle', 'state=4294967295 cpu_id=0'],
    ['cpu_idle', 'state=1 cpu_id=12 more'],
    ['ipi_send_cpu', 'cpu=0 callsite=on_each_cpu_cond_mask+0x20'],
  ];
  for (const [name, payload] of read) assert.ok(agrees(name, payload), `${name}: ${payload}`);
  const left: [string, string][] = [
    ['sched_switch', 'a:1 [1] S ==> b:2 [2] ==> c:3 [3]'],
    ['sched_switch', 'a:1 [1] S ==> b:2 [2] trailing'],
    ['sched_switch', 'prev_comm=a prev_pid=1 prev_prio=1 prev_state=S ==> next_comm=b next_pid=2 next_prio=2'],
    ['sched_switch', 'a:1 [1]\tS ==> b:2 [2]'],
    ['sched_switch', 'a:1234567890 [1] S ==> b:2 [2]'],
    ['sched_switch', 'a:12[3] S ==> b:2 [2]'],
    ['sched_wakeup', 'a:12[3] CPU:1'],
    ['sched_wakeup', 'comm=a pid=1 prio=120 target_cpu=001'],
    ['sched_wakeup', 'a:1 [120] CPU:000 trailing'],
    ['sched_wakeup', 'a:1 [120] success=x CPU:000'],
    ['write_msr', '830, VALUE fb'],
    ['write_msr', '830, value '],
    ['write_msr', '123456789, value 1'],
    ['write_msr', '830,value fb'],
    ['cpu_idle', 'state=4294967296 cpu_id=0'],
    ['cpu_idle', 'x state=1 cpu_id=0'],
    ['ipi_send_cpu', 'cpu=1234567890'],
    ['ipi_send_cpu', 'cpu=x'],
  ];
  for (const [name, payload] of left) assert.equal(scanned(name, payload), undefined, `${name}: ${payload}`);
});

test('random payloads from the pieces the parsers branch on: wherever a reader reads, it agrees', () => {
  const next = seededRandom(29); // seeded: a failure can be replayed
  // each list starts with two pieces of a payload the readers read: mostly those
  const pick = (xs: readonly string[]) => xs[Math.floor(next() * (next() < 0.7 ? 2 : xs.length))];
  const comms = ['bash', 'kworker/0:1', 'a b', '', ':', 'x ==> y', 'CPU:1', '1 [2]', 'a:1 [1] S'];
  const nums = ['21134', '-1', '0', '1234567890', '-', '007', '4294967295', 'x'];
  const states = ['S', 'R+', 'R ==>', '', 'D|W', '\t'];
  const arrows = [' ==> ', ' ==>  ', '==> ', ' => '];
  const tails = ['', ' ', ' x', ':1 [2]', ' CPU:1'];
  const hex = ['830', 'fb', '6E0', '123456789', '', 'g'];
  const commas = [', value ', ', VALUE ', ',value ', ', value', ' '];
  let read = 0;
  for (let i = 0; i < 30_000; i++) {
    const task = () => `${pick(comms)}:${pick(nums)} [${pick(nums)}]`;
    const payloads: [string, string][] = [
      ['sched_switch', `${task()} ${pick(states)}${pick(arrows)}${task()}${pick(tails)}`],
      ['sched_wakeup', `${task()}${next() < 0.5 ? '' : ` success=${pick(nums)}`} CPU:${pick(nums)}${pick(tails)}`],
      ['write_msr', `${pick(hex)}${pick(commas)}${pick(hex)}${pick(tails)}`],
      ['cpu_idle', `state=${pick(nums)} cpu_id=${pick(nums)}${pick(tails)}`],
      ['ipi_send_cpu', `cpu=${pick(nums)}${pick(tails)}`],
    ];
    for (const [name, payload] of payloads) if (agrees(name, payload)) read++;
  }
  assert.ok(read > 20_000, `${read} random payloads read`);
});
