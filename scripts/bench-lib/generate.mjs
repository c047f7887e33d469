// Large benchmark inputs made from one real recording: N copies of it, each copy's timestamps shifted by the
// recording's span (plus 1 µs) so the result reads as one long, gap-free, time-ordered trace.
// Text: every event line's "secs.fraction:" is rewritten. trace.dat: the recording converted to an uncompressed v6
// file by `trace-cmd convert`, then each CPU's ring-buffer pages repeated with the page header timestamp shifted
// (events inside a page are deltas from it, so the whole page moves).
import { createWriteStream, existsSync, promises as fsp, readFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** The first "secs.fraction:" after the cpu column: the event timestamp (6 or 9 decimals). */
const TIMESTAMP = /^(.*?\]\s+(?:\S{1,7}\s+)?)(\d+)\.(\d{6}|\d{9}):(.*)$/;

/**
 * Parses the recording once: header lines (written once), and every event line split around its timestamp.
 * Returns the span shift in ns, and the bytes of one copy of the event lines.
 */
export function loadRecording(gzPath) {
  const text = gunzipSync(readFileSync(gzPath)).toString('utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const header = [];
  const events = []; // [before, ns, digits, after]
  let minNs = Infinity;
  let maxNs = -Infinity;
  for (const line of lines) {
    const m = TIMESTAMP.exec(line);
    if (!m) {
      if (events.length === 0) header.push(line);
      else events.push([line, null, 0, '']); // keep non-event lines in place (none in the shipped sample)
      continue;
    }
    const digits = m[3].length;
    const ns = Number(m[2]) * 1e9 + Number(m[3]) * (digits === 6 ? 1000 : 1);
    if (ns < minNs) minNs = ns;
    if (ns > maxNs) maxNs = ns;
    events.push([m[1], ns, digits, m[4]]);
  }
  // A whole number of µs so that 6-decimal text and the ns clock of the .dat shift alike.
  const shiftNs = (Math.floor((maxNs - minNs) / 1000) + 1) * 1000;
  const copyBytes = Buffer.byteLength(text) - header.reduce((a, l) => a + Buffer.byteLength(l) + 1, 0);
  const cpus = Number(/^cpus=(\d+)/m.exec(header.join('\n'))?.[1] ?? NaN);
  return { header, events, shiftNs, copyBytes, eventLines: events.filter((e) => e[1] !== null).length, cpus };
}

function formatTime(ns, digits) {
  const secs = Math.floor(ns / 1e9);
  const frac = ns - secs * 1e9;
  return digits === 6
    ? `${secs}.${String(Math.floor(frac / 1000)).padStart(6, '0')}`
    : `${secs}.${String(frac).padStart(9, '0')}`;
}

/** Writes `copies` shifted copies of the recording as text to `out` (via a temporary name, renamed when complete). */
export async function writeScaledText(rec, copies, out) {
  const tmp = `${out}.partial`;
  const stream = createWriteStream(tmp);
  let buf = rec.header.map((l) => `${l}\n`).join('');
  for (let k = 0; k < copies; k++) {
    const shift = k * rec.shiftNs;
    for (const [before, ns, digits, after] of rec.events) {
      buf += ns === null ? `${before}\n` : `${before}${formatTime(ns + shift, digits)}:${after}\n`;
      if (buf.length >= 1 << 20) {
        if (!stream.write(buf)) await once(stream, 'drain');
        buf = '';
      }
    }
  }
  stream.end(buf);
  await once(stream, 'finish');
  await fsp.rename(tmp, out);
}

/** Converts a trace.dat to uncompressed v6 with trace-cmd (whose flyrecord layout is simple to repeat). */
export function convertToV6(datPath, out) {
  if (existsSync(out)) return null;
  const r = spawnSync(
    'trace-cmd',
    ['convert', '-i', datPath, '-o', out, '--file-version', '6', '--compression', 'none'],
    {
      encoding: 'utf8',
    },
  );
  if (r.error || r.status !== 0)
    return `trace-cmd convert failed: ${r.error?.message ?? r.stderr.trim().split('\n').pop()}`;
  return null;
}

/**
 * Parses the parts of a v6 trace.dat needed to repeat its data: endianness, long size, page size, and the flyrecord
 * per-CPU (offset, size) table. Returns an error string when the file is not laid out as expected.
 */
export function parseV6Layout(buf, cpus) {
  if (buf.toString('latin1', 0, 10) !== '\x17\x08\x44tracing') return 'not a trace.dat';
  const verEnd = buf.indexOf(0, 10);
  const version = buf.toString('latin1', 10, verEnd);
  if (version !== '6') return `version ${version}, expected 6`;
  const little = buf[verEnd + 1] === 0;
  const longSize = buf[verEnd + 2];
  const pageSize = little ? buf.readUInt32LE(verEnd + 3) : buf.readUInt32BE(verEnd + 3);
  const tag = buf.indexOf('flyrecord\0', 0, 'latin1');
  if (tag < 0) return 'no flyrecord section';
  const u64 = (at) => Number(little ? buf.readBigUInt64LE(at) : buf.readBigUInt64BE(at));
  const table = [];
  for (let c = 0; c < cpus; c++)
    table.push({ at: tag + 10 + c * 16, offset: u64(tag + 10 + c * 16), size: u64(tag + 18 + c * 16) });
  let expected = table[0].offset;
  for (const t of table) {
    if (t.offset !== expected || t.offset % pageSize !== 0 || t.size % pageSize !== 0)
      return 'CPU data is not contiguous and page aligned';
    expected += t.size;
  }
  if (expected !== buf.length) return 'CPU data does not end the file';
  return { little, longSize, pageSize, table, dataStart: table[0].offset };
}

/** Writes `copies` copies of a v6 trace.dat's CPU pages, each copy's page timestamps shifted by k × shiftNs. */
export async function writeScaledDat(v6Path, cpus, shiftNs, copies, out) {
  const buf = readFileSync(v6Path);
  const layout = parseV6Layout(buf, cpus);
  if (typeof layout === 'string') return `${v6Path}: ${layout}`;
  const { little, pageSize, table, dataStart } = layout;
  const head = Buffer.from(buf.subarray(0, dataStart));
  let offset = dataStart;
  for (const t of table) {
    const size = t.size * copies;
    const put = (at, v) => (little ? head.writeBigUInt64LE(BigInt(v), at) : head.writeBigUInt64BE(BigInt(v), at));
    put(t.at, offset);
    put(t.at + 8, size);
    offset += size;
  }
  const tmp = `${out}.partial`;
  const stream = createWriteStream(tmp);
  stream.write(head);
  for (const t of table) {
    const pages = buf.subarray(t.offset, t.offset + t.size);
    for (let k = 0; k < copies; k++) {
      const copy = Buffer.from(pages);
      const shift = BigInt(k) * BigInt(shiftNs);
      for (let p = 0; p < copy.length; p += pageSize) {
        const ts = little ? copy.readBigUInt64LE(p) : copy.readBigUInt64BE(p);
        if (ts === 0n) continue; // an unused page
        if (little) copy.writeBigUInt64LE(ts + shift, p);
        else copy.writeBigUInt64BE(ts + shift, p);
      }
      if (!stream.write(copy)) await once(stream, 'drain');
    }
  }
  stream.end();
  await once(stream, 'finish');
  await fsp.rename(tmp, out);
  return null;
}

/** Cached file name in `dir`; returns [path, exists]. */
export function cached(dir, name) {
  const path = join(dir, name);
  return [path, existsSync(path) && statSync(path).size > 0];
}
