// One esbuild bundle per target: the CLI (node), the extension (node, vscode external), the webview (browser),
// and the analysis worker the extension runs off its main thread.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: true, logLevel: 'warning', minify: !watch, legalComments: 'none' };
const targets = [
  { entryPoints: ['src/cli/index.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20' },
  {
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    entryPoints: ['src/extension/worker.ts'],
    outfile: 'dist/worker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  // trace.dat CPU streams read in worker threads (src/core/tracedat/parallel.ts looks for it beside the bundle)
  {
    entryPoints: ['src/core/tracedat/streamWorker.ts'],
    outfile: 'dist/tracedatWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  // a whole trace.dat read in a worker thread while the analysis runs (src/core/tracedat/readerThread.ts)
  {
    entryPoints: ['src/core/tracedat/readerWorker.ts'],
    outfile: 'dist/tracedatReaderWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  // trace text parsed in worker threads (src/core/readers/traceTextParallel.ts looks for it beside the bundle)
  {
    entryPoints: ['src/core/readers/traceTextWorker.ts'],
    outfile: 'dist/traceTextWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    entryPoints: ['src/extension/eventsWorker.ts'],
    outfile: 'dist/eventsWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];
await Promise.all(targets.filter((t) => existsSync(t.entryPoints[0])).map((t) => build({ ...common, ...t })));
