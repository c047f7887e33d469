// Checks a .vsix (`npm run package` runs it): within its size budget, the runtime only (bundles, media, grammars,
// samples, manifest, README, CHANGELOG, LICENSE; no sources, tests, fixtures, source maps or node_modules), and every
// file the manifest points at is inside. Usage: node scripts/check-vsix.mjs dist/kvm-trace-lens.vsix
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** 5 MiB: the runtime is ~0.3 MB zipped; the two guest trace.dat samples the walkthrough compares are 4.5 MB. */
export const VSIX_BUDGET_BYTES = 5 * 1024 * 1024;

const FORBIDDEN = [/^extension\/(src|test|scripts|webview|node_modules|\.ci|docs)\//, /\.(ts|mts|map)$/, /fixtures\//];
const ALLOWED = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/(package\.json|readme\.md|changelog\.md|LICENSE(\.txt)?)$/i,
  /^extension\/dist\/(extension|worker|eventsWorker|webview|tracedatWorker|tracedatReaderWorker|traceTextWorker)\.js$/,
  /^extension\/(media|syntaxes|samples)\//,
];

/** The names of the files in a zip, from its central directory. */
export function zipEntries(bytes) {
  let end = bytes.length - 22;
  while (end >= 0 && bytes.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a zip file (no end of central directory)');
  const count = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (bytes.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
    const nameLength = bytes.readUInt16LE(at + 28);
    names.push(bytes.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
  }
  return names;
}

/** Files the manifest names: main, icon, grammars, walkthrough media. */
function manifestFiles(manifest) {
  const steps = (manifest.contributes?.walkthroughs ?? []).flatMap((w) => w.steps);
  return [
    manifest.main,
    manifest.icon,
    ...(manifest.contributes?.grammars ?? []).map((g) => g.path),
    ...steps.flatMap((s) => Object.values(s.media ?? {})).filter((m) => /\.(md|png|svg)$/.test(String(m))),
  ].map((p) => `extension/${p.replace(/^\.\//, '')}`);
}

/** Every problem with the .vsix at `path`, as sentences; empty when it is fine. */
export function checkVsix(path, { requiredSamples = [] } = {}) {
  const problems = [];
  const size = statSync(path).size;
  if (size > VSIX_BUDGET_BYTES) problems.push(`${size} bytes, over the budget of ${VSIX_BUDGET_BYTES}`);
  const names = zipEntries(readFileSync(path));
  for (const name of names) {
    const runtime = ALLOWED.some((re) => re.test(name)) && !FORBIDDEN.some((re) => re.test(name));
    if (!runtime) problems.push(`not runtime: ${name}`);
  }
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const wanted = [...manifestFiles(manifest), ...requiredSamples.map((s) => `extension/samples/${s}`)];
  for (const file of [
    'extension/dist/worker.js',
    'extension/dist/eventsWorker.js',
    'extension/dist/webview.js',
    ...wanted,
  ]) {
    if (!names.includes(file)) problems.push(`missing: ${file}`);
  }
  return { size, names, problems };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = process.argv[2] ?? 'dist/kvm-trace-lens.vsix';
  const { size, names, problems } = checkVsix(path);
  if (problems.length > 0) {
    console.error(`${path}: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  const mib = (n) => `${(n / 2 ** 20).toFixed(2)} MiB`;
  console.log(`${path}: ${names.length} files, ${mib(size)} (budget ${mib(VSIX_BUDGET_BYTES)})`);
}
