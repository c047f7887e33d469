// How fast the JavaScript zstd decoder (fzstd, used for v7 trace.dat chunks) inflates a .zst file, in MB/s of output.
//   node scripts/bench-lib/zstdThroughput.mjs FILE.zst
import { readFileSync } from 'node:fs';
import { decompress } from 'fzstd';

const z = new Uint8Array(readFileSync(process.argv[2]));
let out = 0;
const t0 = performance.now();
for (let i = 0; i < 5; i++) out += decompress(z).length;
const s = (performance.now() - t0) / 1000;
console.log(`${(out / 1e6 / s).toFixed(0)} MB/s of output (${(out / 5 / 1e6).toFixed(1)} MB per pass)`);
