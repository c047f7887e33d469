// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function (or, with --by-area, per area of the
// code: trace.dat decoding, text reading, the model, GC, start-up), the top N, as percent and ms.
//   node scripts/bench-lib/profileSummary.mjs DIR_OR_FILE [N] [--by-area]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The part of the pipeline a source file belongs to (profiles taken through tsx keep the source paths). */
function areaOf(url, functionName) {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(idle)' || functionName === '(program)') return functionName;
  if (functionName === 'read' && !url) return 'file reads (fs)';
  if (/\/core\/tracedat\//.test(url)) return 'trace.dat decoding (core/tracedat)';
  if (/\/core\/(readers\/|lineSplitter|input|byteSource)/.test(url) || functionName.startsWith('RegExp:')) {
    return 'text reading (split lines, event-line regex, payload regexes)';
  }
  if (/\/core\/(model|stats|knowledge|eventFields)/.test(url)) return 'the model (core/model, eventFields)';
  if (!url || url.startsWith('node:') || /node_modules|esm\/|cjs\//.test(url))
    return 'start-up, module loading, node internals';
  return 'other';
}

export function selfTimes(profile, byArea = false) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const t = profile.timeDeltas[i] ?? 0;
    const cf = byId.get(id).callFrame;
    const where = cf.url ? ` ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}` : '';
    const key = byArea ? areaOf(cf.url, cf.functionName) : `${cf.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + t);
    total += t;
  });
  return { total, rows: [...self].sort((a, b) => b[1] - a[1]) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = process.argv[2];
  const file = statSync(arg).isDirectory()
    ? join(
        arg,
        readdirSync(arg).find((f) => f.endsWith('.cpuprofile')),
      )
    : arg;
  const { total, rows } = selfTimes(JSON.parse(readFileSync(file, 'utf8')), process.argv.includes('--by-area'));
  for (const [k, t] of rows.slice(0, Number(process.argv[3] ?? 25))) {
    console.log(`${((t / total) * 100).toFixed(1).padStart(5)} % ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  }
}
