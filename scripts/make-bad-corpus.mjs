// Writes test/fixtures/bad/: hostile and broken inputs cut from the real recordings in samples/ and test/fixtures/.
// Deterministic (a seeded PRNG, gzip without a timestamp), so running it again gives the same bytes.
// Usage: node scripts/make-bad-corpus.mjs
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(REPO, 'test', 'fixtures', 'bad');

/** mulberry32: a tiny seeded PRNG, so the random bytes are the same on every run. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// the same lookup as test/helpers/paths.ts: samples/<folder>/ first, then test/fixtures/<folder>/
const sample = (...p) =>
  readFileSync(
    [join(REPO, 'samples', ...p), join(REPO, 'test', 'fixtures', ...p)].find((f) => existsSync(f)) ??
      join(REPO, 'samples', ...p),
  );
const text = (...p) => sample(...p).toString('utf8');
const lines = (s) => s.split('\n');
/** gzip with mtime 0 and a fixed level: the same bytes for the same input. */
const gzip = (buf) => gzipSync(buf, { level: 9 });

const files = new Map();
const put = (name, data, why) =>
  files.set(name, { data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data, why });

// --- nothing usable
put('empty.txt', Buffer.alloc(0), 'zero bytes');
put('blank-lines.txt', '\n\n   \n\t\n', 'only blank lines');
{
  const rnd = prng(0xbad);
  put(
    'random.bin',
    Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rnd() * 256))),
    '4 KiB of seeded random bytes',
  );
}
{
  // A 64-bit little-endian ELF header (e_ident, ET_EXEC, EM_X86_64) and zero padding, as `file` sees /bin/true.
  const elf = Buffer.alloc(512);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(elf, 0);
  elf.writeUInt16LE(2, 16); // e_type ET_EXEC
  elf.writeUInt16LE(0x3e, 18); // e_machine x86-64
  elf.writeUInt32LE(1, 20); // e_version
  elf.writeBigUInt64LE(0x401000n, 24); // e_entry
  elf.writeUInt16LE(64, 52); // e_ehsize
  put('elf-header.bin', elf, 'an ELF executable header');
}

// --- truncated
const report = text('guest-trace', 'tcprr-cross-poll0.head.report.txt');
{
  const ls = lines(report);
  // Cut in the middle of line 201 (after "comm-pid [cpu] time" but before the event name ends).
  const cut = ls.slice(0, 200).join('\n') + '\n' + ls[200].slice(0, 40);
  put('report-cut-mid-line.txt', cut, 'trace-cmd report: 200 whole lines, then half of line 201, no final newline');
  // Cut inside the timestamp of the very first event line.
  put(
    'report-cut-first-event.txt',
    ls[0] + '\n' + ls[1].slice(0, 30),
    'trace-cmd report: header, then the first event cut in its timestamp',
  );
}
{
  const np = lines(text('netperf', 'netperf-tcp-crr.txt'));
  // The banner and the column headings, but the run never printed its result row.
  put(
    'netperf-banner-no-result.txt',
    np.slice(0, 5).join('\n') + '\n',
    'netperf TCP_CRR banner and headings, no result row',
  );
  put('netperf-banner-only.txt', np[0] + '\n', 'netperf banner line alone');
}
{
  const json = text('iperf', 'iperf3-tcp.json');
  put('iperf3-json-cut.json', json.slice(0, Math.floor(json.length / 2)), 'iperf3 -J document cut in the middle');
  put('iperf3-json-cut-early.json', json.slice(0, 40), 'iperf3 -J document cut after 40 characters');
}
{
  const gz = gzip(Buffer.from(report, 'utf8'));
  put(
    'report-truncated.txt.gz',
    gz.subarray(0, Math.floor(gz.length * 0.6)),
    'gzip of a trace-cmd report cut at 60% of its bytes',
  );
  const corrupt = Buffer.from(gz);
  const mid = Math.floor(corrupt.length / 2);
  for (let i = mid; i < mid + 16; i++) corrupt[i] ^= 0xff;
  put('report-corrupt.txt.gz', corrupt, 'gzip of a trace-cmd report with 16 bytes flipped in the middle');
  put('gzip-header-only.gz', gz.subarray(0, 10), 'a bare 10-byte gzip header');
}

// --- fields missing
{
  const host = text('public', 'host-trace-vmx-trace-pipe-kvm-fpu-tsc-4x.txt');
  // Every kvm_exit loses "reason X" (the rest of the payload stays).
  put(
    'kvm-exit-no-reason.txt',
    host.replace(/kvm_exit: reason \S+ /g, 'kvm_exit: '),
    'host trace whose kvm_exit lines have no reason',
  );
  put(
    'kvm-exit-empty-payload.txt',
    host.replace(/kvm_exit: .*/g, 'kvm_exit:'),
    'host trace whose kvm_exit lines have no payload at all',
  );
  const guestHead = lines(report).slice(0, 120).join('\n') + '\n';
  put(
    'write-msr-no-value.txt',
    guestHead.replace(/(write_msr:\s+[0-9a-f]+), value [0-9a-f]+/g, '$1'),
    'guest report whose write_msr lines have no value',
  );
}

// --- wrong units
{
  const stat = text('public', 'perf-kvm-stat-report-classic-preemption-timer.txt');
  put(
    'perf-kvm-stat-unknown-unit.txt',
    stat.replace(/(\d)us\b/g, '$1qs'),
    'perf kvm stat report with "qs" instead of "us"',
  );
}

// --- encodings and line endings
{
  const stat = text('public', 'perf-kvm-stat-report-classic-preemption-timer.txt');
  put(
    'perf-kvm-stat-utf16le-bom.txt',
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(stat, 'utf16le')]),
    'UTF-16 LE with BOM (PowerShell ">")',
  );
  const be = Buffer.from(stat, 'utf16le');
  be.swap16();
  put('perf-kvm-stat-utf16be-bom.txt', Buffer.concat([Buffer.from([0xfe, 0xff]), be]), 'UTF-16 BE with BOM');
  put(
    'perf-kvm-stat-utf8-bom.txt',
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(stat, 'utf8')]),
    'UTF-8 with BOM',
  );
  const head = lines(report).slice(0, 120).join('\n') + '\n';
  put(
    'report-utf16le-bom.txt',
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(head, 'utf16le')]),
    'trace-cmd report, UTF-16 LE with BOM',
  );
  put('report-crlf.txt', head.replace(/\n/g, '\r\n'), 'trace-cmd report with CRLF line endings');
}

// --- mixed formats
{
  const np = text('netperf', 'netperf-tcp-crr.txt');
  const host = text('public', 'host-trace-vmx-trace-pipe-kvm-fpu-tsc-4x.txt');
  put('mixed-netperf-then-trace.txt', np + host, 'netperf output followed by host trace lines in one file');
}

// --- a path that is a directory (git keeps it through a placeholder file)
put('is-a-directory.txt/.gitkeep', '', 'a directory named like a text input');

rmSync(OUT, { recursive: true, force: true });
for (const [name, { data }] of files) {
  mkdirSync(dirname(join(OUT, name)), { recursive: true });
  writeFileSync(join(OUT, name), data);
}
const index = [
  '# Bad-input corpus',
  '',
  'Generated by `node scripts/make-bad-corpus.mjs` from the recordings in samples/ and test/fixtures/; do not ' +
    'edit by hand.',
  '',
];
for (const [name, { data, why }] of files) index.push(`- \`${name}\` (${data.length} bytes): ${why}`);
writeFileSync(join(OUT, 'README.md'), `${index.join('\n')}\n`);
// The gzip cases must really be damaged: a whole stream would make the tests pass for the wrong reason.
for (const name of ['report-truncated.txt.gz', 'report-corrupt.txt.gz']) {
  let ok = true;
  try {
    gunzipSync(files.get(name).data);
  } catch {
    ok = false;
  }
  if (ok) throw new Error(`${name} still decompresses`);
}
console.log(`wrote ${files.size} files to ${OUT}`);
