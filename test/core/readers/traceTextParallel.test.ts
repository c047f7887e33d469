// Trace text parsed in worker threads against the one-thread path: for every sample and fixture text trace (mail-
// quoted, wrapped, CRLF, gzip ...), cut into small chunks so that chunk borders fall inside wrapped events, the
// events, the warnings and the analysis JSON are identical. The worker path is forced, so it runs on one core too.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { analyzeFiles } from '../../../src/core/analyze';
import { nodeFileAccessor, type FileAccessor } from '../../../src/core/byteSource';
import { readInput, type InputSummary } from '../../../src/core/input';
import {
  parseCpuIdle,
  parseIpiTargets,
  parseKvmEntryVcpu,
  parseMsrAccess,
  parseSchedSwitch,
  parseSchedWakeup,
  type DecodedFields,
} from '../../../src/core/eventFields';
import { eventKind } from '../../../src/core/model/eventKinds';
import { isTraceTextFormat, type TraceEvent } from '../../../src/core/records';
import { LineChunker, TEXT_PARALLEL_MIN_BYTES, useTextWorkers } from '../../../src/core/readers/traceTextParallel';
import { ChunkParser, newSlot } from '../../../src/core/readers/traceTextChunks';
import { FIXTURES, REPO, SAMPLES, sample } from '../../helpers/paths';

function textsUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'sysroot-this-machine' ? [] : textsUnder(path);
      return /\.(txt|txt\.gz|log|report)$/.test(name) ? [path] : [];
    });
}

const dir = mkdtempSync(join(tmpdir(), 'kvl-text-parallel-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** The payload, or undefined when reading it throws (an event with fields in a plain chunk carries none). */
function payloadRead(e: TraceEvent): string | undefined {
  try {
    return e.payload;
  } catch {
    return undefined;
  }
}

/** The fields the workers parse from an event's payload, by eventFields.ts's parsers (null: they parse none). */
function fieldsParsed(e: TraceEvent): DecodedFields | null {
  const p = e.payload;
  switch (e.name) {
    case 'sched_switch':
      return { kind: 'sched_switch', value: parseSchedSwitch(p)! };
    case 'sched_wakeup':
    case 'sched_waking':
    case 'sched_wakeup_new':
      return { kind: 'sched_wakeup', value: parseSchedWakeup(p)! };
    case 'write_msr':
    case 'read_msr':
    case 'kvm_msr':
      return { kind: 'msr', value: parseMsrAccess(e.name, p)! };
    case 'cpu_idle':
      return { kind: 'cpu_idle', value: parseCpuIdle(p)! };
    case 'ipi_send_cpu':
      return { kind: 'ipi_targets', value: parseIpiTargets(e.name, p)! };
    case 'kvm_entry':
      return { kind: 'kvm_entry', vcpu: parseKvmEntryVcpu(p) };
    default:
      return null;
  }
}

/**
 * An event's keys as compared: its payload read (undefined when it throws), its fields left out, its kind the one
 * the reader gave (workers) or the model looks up (one thread).
 */
const compared = (e: TraceEvent) => ({
  type: e.type,
  line: e.line,
  timeNs: e.timeNs,
  cpu: e.cpu,
  pid: e.pid,
  comm: e.comm,
  name: e.name,
  system: e.system,
  payload: payloadRead(e),
  instance: e.instance,
  clockUnknown: e.clockUnknown,
  kind: e.kind ?? eventKind(e.name),
});

/**
 * The workers' events are the one thread's, but for `fields` (which the workers add); an event that carries no
 * payload must carry the fields the one thread's payload parses to.
 */
function assertSameEvents(many: TraceEvent[], one: TraceEvent[], message?: string) {
  assert.equal(many.length, one.length, message);
  const kept = many.map((e) => payloadRead(e) !== undefined);
  const got = many.map((e, i) => (kept[i] ? compared(e) : { ...compared(e), fields: e.fields }));
  const expected = one.map((e, i) =>
    kept[i] ? compared(e) : { ...compared(e), payload: undefined, fields: fieldsParsed(e) },
  );
  assert.deepEqual(got, expected, message);
}

async function read(path: string, parallel: boolean, textChunkBytes?: number) {
  const events: TraceEvent[] = [];
  const summary: InputSummary = await readInput(path, (r) => r.type === 'event' && events.push(r), {
    parallel,
    textChunkBytes,
  });
  return { events, summary };
}

/** Small files in chunks of a few lines (every border somewhere new), large ones in chunks of 64 KiB. */
const chunkBytesFor = (path: string) => (statSync(path).size < 256 << 10 ? 97 : 64 << 10);

const TEXTS = [...textsUnder(SAMPLES), ...textsUnder(FIXTURES)];

for (const path of TEXTS) {
  test(`${relative(REPO, path)}: the same events, warnings and analysis through worker threads`, async () => {
    const one = await read(path, false);
    if (!isTraceTextFormat(one.summary.format)) return; // netperf, count tables ...: read on one thread always
    const many = await read(path, true, chunkBytesFor(path));
    assertSameEvents(many.events, one.events);
    assert.deepEqual(many.summary, one.summary);
    const chunkBytes = chunkBytesFor(path);
    const a = await analyzeFiles([path], { parallel: false });
    const b = await analyzeFiles([path], { parallel: true, textChunkBytes: chunkBytes });
    assert.equal(JSON.stringify(b), JSON.stringify(a));
  });
}

test('a chunk border inside a wrapped event: the payload joined, no fields parsed from its first line', async () => {
  const lines = [
    '> qemu-system-x86-5665  [000] ....   280.971121: kvm_exit: reason MSR_WRITE rip 0xffffffff8106d4e4 info',
    '> 1 0',
    '> qemu-system-x86-5665  [000] ....   280.971122: sched_switch: qemu-system-x86:5665 [120] S ==>',
    '>     swapper/0:0 [120]',
    '> qemu-system-x86-5665  [000] ....   280.971125:',
    '> kvm_entry: vcpu 0',
    '   <idle>-0     [001] d..1.   280.971130: write_msr: 6e0, value 1f4a3c',
    '',
  ];
  const path = join(dir, 'wrapped.txt');
  writeFileSync(path, lines.join('\n'));
  const one = await read(path, false);
  for (const chunkBytes of [1, 40, 120, 200]) {
    const many = await read(path, true, chunkBytes);
    assertSameEvents(many.events, one.events, `chunks of ${chunkBytes} bytes`);
    assert.deepEqual(many.summary, one.summary);
    // the wrapped sched_switch: its fields, if the worker sent any, come from the joined payload
    const sw = many.events.find((e) => e.name === 'sched_switch')!;
    assert.equal(sw.payload, 'qemu-system-x86:5665 [120] S ==> swapper/0:0 [120]');
    assert.equal(sw.fields, undefined);
  }
  assert.equal(one.events.length, 4);
  assert.equal(one.events[3].fields, undefined);
  const msr = (await read(path, true, 1)).events[3];
  assert.deepEqual(msr.fields, { kind: 'msr', value: { write: true, msr: 0x6e0, valueHex: '1f4a3c' } });
});

test('a real recording read in workers: as many events as grep counts event lines', async () => {
  const path = sample('guest-trace', 'tcprr-cross-poll0.report.txt.gz');
  // event lines: "comm-pid [cpu] secs.usecs: name:" (the header lines have no "[NNN] ")
  const grep = execFileSync('sh', ['-c', `zcat '${path}' | grep -cE '\\[[0-9]{3}\\] +[0-9]+\\.[0-9]+: [a-z_]+:'`]);
  const expected = Number(String(grep).trim());
  const many = await read(path, true, 256 << 10);
  assert.equal(many.summary.records, expected);
  assert.equal(many.events.length, expected);
  assert.ok(expected > 100_000);
});

const joined = (parts: Uint8Array[]) => Buffer.concat(parts).toString('latin1');

test('chunks end after a newline and hold every byte once', () => {
  const text = Buffer.from('a\nbb\r\nccc\n\ndddd');
  const chunker = new LineChunker(3);
  const pieces = [text.subarray(0, 4), text.subarray(4, 9), text.subarray(9)];
  const chunks = pieces.flatMap((p) => chunker.push(p).map(joined));
  for (const c of chunks) assert.ok(c.endsWith('\n') && c.length >= 3, JSON.stringify(c));
  assert.equal(chunks.join('') + joined(chunker.end()), text.toString());
});

test('a line longer than kept is cut to its first bytes, and the lines after it are read', () => {
  const chunker = new LineChunker(8);
  const long = Buffer.alloc(4 << 20, 0x61);
  const out = [
    ...chunker.push(Buffer.from('x\n')),
    ...chunker.push(long),
    ...chunker.push(Buffer.from('tail\nnext\n')),
  ];
  out.push(chunker.end());
  const lines = out.map(joined).join('').split('\n');
  assert.deepEqual([lines[0], lines[2], lines[3]], ['x', 'next', '']);
  // kept: more than MAX_LINE_CHARS (1 Mi) characters of it, however it decodes, but not all 4 MiB
  assert.ok(lines[1].length > 3 << 20 && lines[1].length < long.length, String(lines[1].length));
  assert.ok(/^a+$/.test(lines[1]));
});

test('workers only for large inputs on more than one core, unless forced', () => {
  const env = process.env.KVM_TRACE_LENS_PARALLEL;
  delete process.env.KVM_TRACE_LENS_PARALLEL;
  try {
    assert.equal(useTextWorkers(undefined, TEXT_PARALLEL_MIN_BYTES, 2), true);
    assert.equal(useTextWorkers(undefined, TEXT_PARALLEL_MIN_BYTES - 1, 2), false);
    assert.equal(useTextWorkers(undefined, TEXT_PARALLEL_MIN_BYTES, 1), false);
    assert.equal(useTextWorkers(undefined, null, 8), false);
    assert.equal(useTextWorkers(true, 10, 1), true);
    process.env.KVM_TRACE_LENS_PARALLEL = 'off';
    assert.equal(useTextWorkers(undefined, TEXT_PARALLEL_MIN_BYTES, 8), false);
  } finally {
    if (env === undefined) delete process.env.KVM_TRACE_LENS_PARALLEL;
    else process.env.KVM_TRACE_LENS_PARALLEL = env;
  }
});

test('cancelled while workers read a stream or a file: the lines read so far stay, the cancel is said', async () => {
  const gz = sample('guest-trace', 'tcprr-cross-poll0.report.txt.gz');
  const file = join(dir, 'tcprr-cross-poll0.report.txt');
  writeFileSync(file, gunzipSync(readFileSync(gz)));
  for (const path of [gz, file]) {
    const controller = new AbortController();
    let events = 0;
    const summary = await readInput(
      path,
      (r) => {
        if (r.type === 'event' && ++events === 10_000) controller.abort();
      },
      { parallel: true, textChunkBytes: 64 << 10, signal: controller.signal },
    );
    const said = summary.warnings.find((w) => /^cancelled after line \d+$/.test(w.message));
    assert.ok(said, JSON.stringify(summary.warnings));
    // the chunks out when the signal came are not read: far fewer events than the 256,254 of the whole recording
    assert.ok(events >= 10_000 && events < 100_000, `${path}: ${events}`);
    assert.equal(summary.records, events);
  }
});

/** A trace-cmd report line: task, cpu, time in µs, event and payload in the printed columns. */
function reportLine(task: string, pid: number, cpu: number, us: number, name: string, payload: string): string {
  const time = `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
  const columns = `${`${task}-${pid}`.padStart(22)} [${String(cpu).padStart(3, '0')}] ${time}:`;
  return `${columns} ${`${name}:`.padEnd(21)} ${payload}`;
}

/**
 * Plain event lines with, every so often, what only the reader's line state handles: a wrapped payload, a header
 * whose event went to the next line, mail quoting, a comment, a blank line, a time jump starting a run, a timestamp
 * without a fraction. Read in chunks of many sizes, these fall at chunk borders and inside plain chunks' neighbours.
 */
function mixedTrace(): string {
  const lines: string[] = [];
  let us = 10_729_493_978;
  const plainLines = (n: number, task = 'netperf', pid = 21137) => {
    for (let i = 0; i < n; i++) {
      us += 7 + (i % 5);
      if (i % 3 === 0) lines.push(reportLine(task, pid, 1, us, 'write_msr', `6e0, value ${(us * 13).toString(16)}`));
      else if (i % 3 === 1) lines.push(reportLine('<idle>', 0, 0, us, 'cpu_idle', 'state=1 cpu_id=0'));
      else lines.push(reportLine(task, pid, 1, us, 'sched_switch', `${task}:${pid} [120] S ==> swapper/1:0 [120]`));
    }
  };
  plainLines(40);
  lines.push(
    reportLine('qemu-system-x86', 5665, 0, (us += 5), 'kvm_exit', 'reason MSR_WRITE rip 0xffffffff8106d4e4 info'),
  );
  lines.push('     1 0');
  plainLines(25);
  lines.push(`${'qemu-system-x86-5665'.padStart(22)} [000] ${Math.floor(us / 1e6)}.${String((us += 3) % 1e6)}:`);
  lines.push('kvm_entry: vcpu 0');
  plainLines(30);
  // a header whose next line is an event line of its own: the reader joins them all the same
  lines.push(`${'qemu-system-x86-5665'.padStart(22)} [000] ${Math.floor(us / 1e6)}.${String((us += 3) % 1e6)}:`);
  plainLines(30);
  for (let i = 0; i < 4; i++) lines.push(`> ${reportLine('bash', 21134, 1, (us += 9), 'write_msr', '830, value fb')}`);
  plainLines(20);
  lines.push('# a comment between events', '');
  plainLines(35);
  us += 100e6; // a jump of 100 s to tasks not seen before: a second run
  plainLines(30, 'iperf3', 31000);
  lines.push(reportLine('iperf3', 31000, 1, 0, 'write_msr', '830, value fb').replace(/ 0\.000000:/, ' 77:'));
  plainLines(40, 'iperf3', 31000);
  return `${lines.join('\n')}\n`;
}

test('plain chunks next to wrapped, quoted and commented lines and runs: the same as one thread', async () => {
  const path = join(dir, 'mixed.report.txt');
  writeFileSync(path, `cpus=2\n${mixedTrace()}`);
  const one = await read(path, false);
  assert.equal(one.summary.format, 'trace-cmd-report');
  const warned = (pattern: RegExp) => one.summary.warnings.some((w) => pattern.test(w.message));
  // the one-thread reader saw every kind of line the trace was made with
  for (const pattern of [/wrapped onto the next line/, /wrapped after the timestamp/, /mail quoting/, /comment/]) {
    assert.ok(warned(pattern), `${pattern}: ${JSON.stringify(one.summary.warnings)}`);
  }
  assert.ok(warned(/without a fraction/));
  const runs: string[] = [];
  await readInput(path, (r) => r.type === 'run-start' && runs.push(r.label), { parallel: false });
  assert.equal(runs.length, 2);
  for (const chunkBytes of [50, 97, 128, 333, 1000, 1500, 4096, 8191]) {
    const many = await read(path, true, chunkBytes);
    assertSameEvents(many.events, one.events, `chunks of ${chunkBytes} bytes`);
    assert.deepEqual(many.summary, one.summary, `chunks of ${chunkBytes} bytes`);
    const manyRuns: string[] = [];
    await readInput(path, (r) => r.type === 'run-start' && manyRuns.push(r.label), {
      parallel: true,
      textChunkBytes: chunkBytes,
    });
    assert.deepEqual(manyRuns, runs);
  }
  const a = await analyzeFiles([path], { parallel: false });
  const b = await analyzeFiles([path], { parallel: true, textChunkBytes: 333 });
  assert.equal(JSON.stringify(b), JSON.stringify(a));
});

test('a chunk is certified plain only when every line is an unquoted, uncut event line of its own', () => {
  const parser = new ChunkParser();
  const slot = newSlot(1 << 16);
  const parse = (lines: string[]) => {
    const bytes = Buffer.from(`${lines.join('\n')}\n`, 'latin1');
    return parser.parse({ seq: 0, slot, length: bytes.length, bytes: new Uint8Array(bytes), first: false });
  };
  const event = reportLine('netperf', 21137, 1, 10_729_494_755, 'write_msr', '830, value fb');
  const spaced = `${event}  `;
  const chunk = parse([event, event, spaced]);
  assert.equal(chunk.plain, true);
  assert.equal(chunk.eventCount, 3);
  assert.equal(chunk.lastIndent, event.length - event.trimStart().length);
  assert.equal(chunk.lastSoftBreak, true);
  assert.equal(parse([event, '     1 0']).plain, false); // a wrapped payload's rest
  assert.equal(parse([event, `> ${event}`]).plain, false); // quoted
  assert.equal(parse([event, '', event]).plain, false); // a blank line
  assert.equal(parse([event, '# comment']).plain, false);
  // a line the scanner leaves to the regexes is still an event line of its own
  assert.equal(parse([event, event.replace('netperf-21137', 'CPU 0/KVM-5665')]).plain, true);
});

test('chunks of more lines than their slot holds, a line longer than the slot: the same as one thread', async () => {
  const path = join(dir, 'many-lines.report.txt');
  const event = reportLine('netperf', 21137, 1, 10_729_494_755, 'write_msr', '830, value fb');
  // 64 KiB chunks: a slot has rows for 4,096 lines, and room for 128 KiB of text
  const long = reportLine('netperf', 21137, 1, 10_729_494_756, 'write_msr', `830, value ${'f'.repeat(200_000)}`);
  writeFileSync(path, `cpus=2\n${event}\n${'\n'.repeat(100_000)}${event}\n${long}\n${event}\n`);
  const one = await read(path, false);
  const many = await read(path, true, 64 << 10);
  assert.equal(one.events.length, 4);
  assertSameEvents(many.events, one.events);
  assert.deepEqual(many.summary, one.summary);
});

test('a chunk read from its bytes whose last event a wrapped line continues: the payload joined', async () => {
  let us = 10_729_493_978;
  const plainLines = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      i % 2 === 0
        ? reportLine('<idle>', 0, 0, (us += 7), 'cpu_idle', 'state=1 cpu_id=0')
        : reportLine('netperf', 21137, 1, (us += 5), 'write_msr', `6e0, value ${(us * 13).toString(16)}`),
    );
  const wrapped = [
    {
      head: reportLine('netperf', 21137, 1, 0, 'sched_switch', 'netperf:21137 [120] S ==>'),
      rest: `${' '.repeat(40)}swapper/1:0 [120]`,
      payload: 'netperf:21137 [120] S ==> swapper/1:0 [120]',
    },
    {
      head: reportLine('netperf', 21137, 1, 0, 'write_msr', '830, value'),
      rest: `${' '.repeat(40)}1000000fb`,
      payload: '830, value 1000000fb',
    },
  ];
  for (const [k, { head, rest, payload }] of wrapped.entries()) {
    const before = plainLines(20);
    const headLine = head.replace(' 0.000000:', ` ${Math.floor(us / 1e6)}.${String((us += 3) % 1e6)}:`);
    const text = `${[...before, headLine, rest, ...plainLines(20)].join('\n')}\n`;
    const path = join(dir, `wrapped-at-border-${k}.report.txt`);
    writeFileSync(path, text);
    const one = await read(path, false);
    const joined = one.events.find((e) => e.line === 21)!;
    assert.equal(joined.payload, payload); // the one-thread reader joins the wrapped line
    // the first chunk ends after the head line: all its lines are events, it is read from its bytes
    const border = Buffer.byteLength([...before, headLine].join('\n')) + 1;
    for (const chunkBytes of [border, border + 1, 64]) {
      const many = await read(path, true, chunkBytes);
      assertSameEvents(many.events, one.events, `chunks of ${chunkBytes} bytes`);
      assert.deepEqual(many.summary, one.summary);
      const event = many.events.find((e) => e.line === 21)!;
      assert.equal(event.payload, payload);
      assert.equal(event.fields, undefined); // parsed from the head line alone, they no longer hold
    }
  }
});

/** Node's files, but reads end at byte `at`: by failing (EIO) or, with `shrink`, as at the end of the file. */
function filesEndingAt(at: number, shrink: boolean): FileAccessor {
  return {
    async open(path) {
      const file = await nodeFileAccessor.open(path);
      return {
        stat: () => file.stat(),
        close: () => file.close(),
        read(buffer, offset, length, position) {
          if (position >= at) {
            return shrink ? Promise.resolve({ bytesRead: 0 }) : Promise.reject(new Error('EIO: i/o error, read'));
          }
          return file.read(buffer, offset, Math.min(length, at - position), position);
        },
      };
    },
  };
}

test('a file whose reads fail or end early midway: the same lines, events and warnings as one thread', async () => {
  const path = sample('guest-trace', 'tcprr-cross-poll0.head.report.txt');
  const text = readFileSync(path, 'latin1');
  // line 201, "          <idle>-0     [000] 10729.497411: guest_halt_poll_ns:   halt_poll_ns 0 (shrink 0)", cut
  // after "halt_": lines 2-200 are 199 events, and the cut line still one
  const at = text.split('\n').slice(0, 200).join('\n').length + 1 + 70;
  for (const shrink of [false, true]) {
    const one: TraceEvent[] = [];
    const fileAccessor = filesEndingAt(at, shrink);
    const a = await readInput(path, (r) => r.type === 'event' && one.push(r), { parallel: false, fileAccessor });
    assert.equal(one.length, 200, `shrink ${shrink}`);
    assert.equal(one[199].payload, 'halt_');
    assert.equal(
      a.warnings.some((w) => /read failed after line 200: EIO/.test(w.message)),
      !shrink,
    );
    for (const textChunkBytes of [97, 4096, 8 << 10]) {
      const many: TraceEvent[] = [];
      const b = await readInput(path, (r) => r.type === 'event' && many.push(r), {
        parallel: true,
        textChunkBytes,
        fileAccessor,
      });
      assertSameEvents(many, one, `shrink ${shrink}, chunks of ${textChunkBytes} bytes`);
      assert.deepEqual(b, a);
    }
  }
});
