// Every trace.dat of the samples and fixtures, and damaged copies of one: the inputs the tests of the threaded
// trace.dat paths hold to the one-thread path.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, SAMPLES, sample } from './paths';

const datIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.dat') || f.endsWith('.dat.gz'))
    .map((f) => join(dir, f));

export const TRACE_DATS = [
  ...datIn(join(SAMPLES, 'guest-trace')),
  ...['tracedat', 'trace-dat', 'recordings', 'guest-trace', 'capture/run-host-vmm'].flatMap((d) =>
    datIn(join(FIXTURES, d)),
  ),
];

/**
 * Damaged copies of a host trace, in a temporary folder removed at exit: cut inside the second CPU's data, and a page
 * whose size word is broken.
 */
export function damagedTraceDats(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-damaged-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const host = readFileSync(sample('tracedat', 'kvm-le-4k.dat'));
  const out: [string, Buffer][] = [['host-cut.dat', host.subarray(0, host.length - 5000)]];
  const badPage = Buffer.from(host);
  // the commit word of a page near the end (4 KiB pages): claims more data than a page holds
  badPage.writeUInt32LE(0x7ffffff, host.length - 2 * 4096 + 8);
  out.push(['host-badpage.dat', badPage]);
  return out.map(([name, bytes]) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  });
}
