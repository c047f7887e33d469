// Writes the analysis JSON of every sample and fixture trace (text, .gz, .dat) with a built CLI, one file per input,
// or compares two such folders byte by byte: the check that a speed-up changed no output.
//   node scripts/analysis-snapshots.mjs write OUT_DIR [CLI]   (CLI defaults to dist/cli.js)
//   node scripts/analysis-snapshots.mjs compare BEFORE_DIR AFTER_DIR
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TRACE_FILE = /\.(txt|gz|dat)$/;

function tracesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'sysroot-this-machine') out.push(...tracesUnder(path));
    } else if (TRACE_FILE.test(name)) out.push(path);
  }
  return out;
}

function write(outDir, cli = join(root, 'dist', 'cli.js')) {
  mkdirSync(outDir, { recursive: true });
  const files = [...tracesUnder(join(root, 'samples')), ...tracesUnder(join(root, 'test', 'fixtures'))];
  for (const file of files) {
    const rel = relative(root, file);
    const r = spawnSync(process.execPath, [resolve(cli), 'analyze', rel, '--json'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    });
    writeFileSync(join(outDir, `${rel.replaceAll('/', '_')}.json`), `${r.stdout}\nexit status ${r.status}\n`);
  }
  console.log(`${files.length} analyses written to ${outDir}`);
}

function compare(before, after) {
  const names = new Set([...readdirSync(before), ...readdirSync(after)]);
  const differ = [...names].filter((n) => {
    try {
      return !readFileSync(join(before, n)).equals(readFileSync(join(after, n)));
    } catch {
      return true;
    }
  });
  for (const n of differ) console.log(`differs: ${n}`);
  console.log(`${names.size - differ.length} of ${names.size} analyses identical`);
  if (differ.length > 0) process.exitCode = 1;
}

const [mode, a, b] = process.argv.slice(2);
if (mode === 'write' && a) write(a, b);
else if (mode === 'compare' && a && b) compare(a, b);
else {
  console.error('usage: analysis-snapshots.mjs write OUT_DIR [CLI] | compare BEFORE_DIR AFTER_DIR');
  process.exitCode = 2;
}
