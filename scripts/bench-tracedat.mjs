// Wall time and peak RSS of reading a trace.dat through the native reader, against `trace-cmd report X.dat > /dev/null`
// when trace-cmd is installed. Usage: node --import tsx scripts/bench-tracedat.mjs FILE.dat [runs=3]
// Each measurement runs in a fresh child process so peak RSS is the reader's own.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

async function child(file) {
  const { readTraceDat } = await import(pathToFileURL(join(here, '..', 'src', 'core', 'tracedat', 'index.ts')).href);
  let events = 0;
  let payloadChars = 0;
  let warnings = 0;
  let failure = null;
  const t0 = process.hrtime.bigint();
  await readTraceDat(file, {
    record(r) {
      events++;
      payloadChars += r.payload.length;
    },
    warn() {
      warnings++;
    },
    fail(_l, m) {
      failure = m;
    },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(
    JSON.stringify({ events, payloadChars, warnings, failure, ms, maxRssKB: process.resourceUsage().maxRSS }) + '\n',
  );
}

function timeCommand(cmd, args) {
  const haveTime = existsSync('/usr/bin/time');
  const t0 = process.hrtime.bigint();
  const r = haveTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
    : spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error || r.status !== 0) return null;
  const lines = (r.stderr ?? '').trim().split('\n');
  const rss = haveTime ? Number(lines[lines.length - 1]) : NaN;
  return { ms, maxRssKB: Number.isFinite(rss) ? rss : null };
}

async function main() {
  const [file, runsArg] = process.argv.slice(2);
  if (process.argv.includes('--child')) return child(process.argv[process.argv.indexOf('--child') + 1]);
  if (!file || !existsSync(file)) {
    console.error('usage: node --import tsx scripts/bench-tracedat.mjs FILE.dat [runs]');
    process.exit(2);
  }
  const runs = Number(runsArg ?? 3);
  console.log(`file: ${file} (${(statSync(file).size / 1048576).toFixed(1)} MiB), best of ${runs}`);
  let best = null;
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', file], {
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(1);
    }
    const res = JSON.parse(r.stdout.trim().split('\n').pop());
    if (!best || res.ms < best.ms) best = res;
  }
  const perEvent = best.events ? ((best.ms * 1e6) / best.events).toFixed(0) : '-';
  console.log(
    `native reader : ${best.ms.toFixed(0)} ms (reading only, ${perEvent} ns/event), ${best.events} events, ` +
      `peak RSS ${(best.maxRssKB / 1024).toFixed(0)} MiB${best.failure ? `, FAILED: ${best.failure}` : ''}`,
  );
  const tc = spawnSync('trace-cmd', ['--version'], { encoding: 'utf8' });
  if (tc.error) {
    console.log('trace-cmd     : not installed, no comparison');
    return;
  }
  let tbest = null;
  for (let i = 0; i < runs; i++) {
    const r = timeCommand('trace-cmd', ['report', file]);
    if (r && (!tbest || r.ms < tbest.ms)) tbest = r;
  }
  if (!tbest) {
    console.log('trace-cmd     : report failed on this file');
    return;
  }
  console.log(
    `trace-cmd     : ${tbest.ms.toFixed(0)} ms (whole process, output to /dev/null), peak RSS ` +
      `${tbest.maxRssKB === null ? '?' : (tbest.maxRssKB / 1024).toFixed(0)} MiB`,
  );
  console.log(`ratio         : native is ${(tbest.ms / best.ms).toFixed(2)}x the speed of trace-cmd report`);
}

await main();
