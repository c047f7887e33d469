// Parses `trace-cmd report` text lines for the differential tests (independent of the project's text reader).
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import assert from 'node:assert/strict';
import { readTraceDat, type TraceDatOptions } from '../../src/core/tracedat/index';
import type { InputRecord, TraceEvent } from '../../src/core/records';

export interface ReportLine {
  comm: string;
  pid: number;
  cpu: number;
  /** seconds part and fraction digits as printed (6 digits = µs, 9 = ns) */
  sec: number;
  frac: string;
  name: string;
  payload: string;
  /** The buffer instance label trace-cmd report prints in front ("second: "), undefined for the top instance. */
  instance?: string;
}

const LINE = /^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+(\d+)\.(\d+):\s+(\w+):\s*(.*)$/;

/**
 * Parses one event line. With buffer instances, trace-cmd report (print_handle_file in trace-read.c) prints
 * "<name>: " in front of an instance's lines and blanks of the same width in front of the top instance's;
 * `instances` lists the names to recognise (only then is a prefix taken off, a comm could contain ": ").
 */
export function parseReportLine(text: string, instances: readonly string[] = []): ReportLine | null {
  let instance: string | undefined;
  for (const name of instances) {
    if (text.startsWith(`${name}: `)) {
      instance = name;
      text = text.slice(name.length + 2);
      break;
    }
  }
  const m = LINE.exec(text);
  if (!m) return null;
  const line: ReportLine = {
    comm: m[1],
    pid: Number(m[2]),
    cpu: Number(m[3]),
    sec: Number(m[4]),
    frac: m[5],
    name: m[6],
    payload: m[7],
  };
  if (instance !== undefined) line.instance = instance;
  return line;
}

/** Every line of a (possibly gzipped) report: events parsed, other lines (cpus=, DROPPED) kept as text. */
export async function* reportLines(
  path: string,
  instances: readonly string[] = [],
): AsyncGenerator<ReportLine | string> {
  const input = path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) yield parseReportLine(line, instances) ?? line;
}

/** The timestamp as trace-cmd prints it: ns → "sec.fraction" with 9 digits, or rounded to 6 (µs) digits. */
export function printedTime(timeNs: number, digits: 6 | 9): { sec: number; frac: string } {
  if (digits === 9) return { sec: Math.floor(timeNs / 1e9), frac: String(timeNs % 1e9).padStart(9, '0') };
  const us = Math.floor((timeNs + 500) / 1000);
  return { sec: Math.floor(us / 1e6), frac: String(us % 1e6).padStart(6, '0') };
}

export interface Collected {
  events: TraceEvent[];
  warnings: string[];
  failures: string[];
}

export async function collect(path: string, options: TraceDatOptions = {}): Promise<Collected> {
  const out: Collected = { events: [], warnings: [], failures: [] };
  await readTraceDat(
    path,
    {
      record: (r: InputRecord) => {
        if (r.type === 'event') out.events.push(r);
      },
      warn: (_l, m) => out.warnings.push(m),
      fail: (_l, m) => out.failures.push(m),
    },
    options,
  );
  return out;
}

/**
 * Compares event by event (instance, time, CPU, pid, comm, name, payload) and the DROPPED notices in order.
 * `instances`: the buffer instance names the report labels its lines with (none for single-buffer files).
 */
export async function assertMatchesReport(
  got: Collected,
  reportPath: string,
  digits: 6 | 9,
  instances: readonly string[] = [],
): Promise<number> {
  let i = 0;
  const drops: string[] = [];
  for await (const line of reportLines(reportPath, instances)) {
    if (typeof line === 'string') {
      if (line.includes('EVENTS DROPPED')) drops.push(line.trim());
      continue;
    }
    const ev = got.events[i];
    assert.ok(ev, `report has more events than the reader (first missing: #${i} ${JSON.stringify(line)})`);
    const t = printedTime(ev.timeNs, digits);
    const mine = `${ev.instance ?? ''}| ${ev.comm}-${ev.pid} [${ev.cpu}] ${t.sec}.${t.frac}: ${ev.name}: ${ev.payload}`;
    const theirs =
      `${line.instance ?? ''}| ${line.comm}-${line.pid} [${line.cpu}] ${line.sec}.${line.frac}: ` +
      `${line.name}: ${line.payload}`;
    if (mine !== theirs) assert.equal(mine, theirs, `event #${i} differs`);
    i++;
  }
  assert.equal(got.events.length, i, 'the reader produced more events than the report has');
  const myDrops = got.warnings.filter((w) => /^(\S+: )?CPU:\d+ \[.*EVENTS DROPPED\]$/.test(w));
  assert.deepEqual(myDrops, drops);
  return i;
}
