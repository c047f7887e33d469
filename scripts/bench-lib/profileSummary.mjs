// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, the top N, as percent and ms.
//   node scripts/bench-lib/profileSummary.mjs DIR_OR_FILE [N]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const t = profile.timeDeltas[i] ?? 0;
    const cf = byId.get(id).callFrame;
    const where = cf.url ? ` ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + t);
    total += t;
  });
  return { total, rows: [...self].sort((a, b) => b[1] - a[1]) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = process.argv[2];
  const file = statSync(arg).isDirectory()
    ? join(arg, readdirSync(arg).find((f) => f.endsWith('.cpuprofile')))
    : arg;
  const { total, rows } = selfTimes(JSON.parse(readFileSync(file, 'utf8')));
  for (const [k, t] of rows.slice(0, Number(process.argv[3] ?? 25))) {
    console.log(`${((t / total) * 100).toFixed(1).padStart(5)} % ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  }
}
