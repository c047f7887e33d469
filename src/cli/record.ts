// `kvm-trace-lens record [--guest|--host] [--seconds N] [--out DIR] [--json] [-- BENCHMARK ...]`: record a run
// folder, then print its analysis (as `analyze DIR` would).
import { chownSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CaptureError,
  RUN_FILES,
  analyzePaths,
  defaultEnvironment,
  readSystemState,
  record,
  type CaptureSide,
  type RecordEnvironment,
} from '../core/index';
import { formatAnalysisText } from '../presentation/textReport';

export const RECORD_USAGE =
  'kvm-trace-lens record [--guest|--host] [--seconds N] [--out DIR] [--json] [-- BENCHMARK COMMAND ...]';

export interface RecordArgs {
  side: CaptureSide | null;
  seconds: number | null;
  out: string | null;
  json: boolean;
  benchmark: string[];
}

export class RecordUsageError extends Error {}

export function parseRecordArgs(argv: readonly string[]): RecordArgs {
  const out: RecordArgs = { side: null, seconds: null, out: null, json: false, benchmark: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.benchmark = argv.slice(i + 1);
      if (out.benchmark.length === 0) throw new RecordUsageError('nothing after "--": give the benchmark command');
      break;
    }
    if (a === '--guest' || a === '--host') {
      const side = a.slice(2) as CaptureSide;
      if (out.side && out.side !== side) throw new RecordUsageError('give either --guest or --host, not both');
      out.side = side;
    } else if (a === '--json') out.json = true;
    else if (a === '--seconds') {
      const n = Number(argv[++i]);
      if (!(n > 0) || !Number.isFinite(n)) throw new RecordUsageError('--seconds needs a positive number');
      out.seconds = n;
    } else if (a === '--out') {
      const dir = argv[++i];
      if (!dir) throw new RecordUsageError('--out needs a folder');
      out.out = dir;
    } else throw new RecordUsageError(`unknown record argument "${a}" (put the benchmark after "--")`);
  }
  return out;
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

export async function recordCommand(argv: readonly string[], env?: RecordEnvironment): Promise<number> {
  let args: RecordArgs;
  try {
    args = parseRecordArgs(argv);
  } catch (e) {
    process.stderr.write(`kvm-trace-lens: ${(e as Error).message}\nusage: ${RECORD_USAGE}\n`);
    return 2;
  }
  const environment = env ?? defaultEnvironment((line) => process.stderr.write(`${line}\n`));
  // Inside a VM (the CPU says "hypervisor") the guest side is what can be recorded; elsewhere the host.
  const side =
    args.side ?? (readSystemState(environment.systemRoot).cpu.flags.includes('hypervisor') ? 'guest' : 'host');
  if (!args.side)
    process.stderr.write(`kvm-trace-lens: recording the ${side} side (say --guest or --host to choose)\n`);
  const outDir = args.out ?? join(process.cwd(), `kvm-trace-lens-${side}-${stamp(new Date())}`);
  let result;
  try {
    result = await record({ side, seconds: args.seconds, outDir, benchmark: args.benchmark }, environment);
  } catch (e) {
    if (e instanceof CaptureError) {
      process.stderr.write(`kvm-trace-lens: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  for (const w of result.warnings) process.stderr.write(`kvm-trace-lens: warning: ${w}\n`);
  process.stderr.write(`kvm-trace-lens: run folder ${outDir} (${result.manifest.method}); analysing it\n`);
  const analysis = await analyzePaths([outDir]);
  // Kept beside the run for editors (Record a Trace… opens it) and for compare.
  writeFileSync(join(outDir, RUN_FILES.analysis), `${JSON.stringify(analysis, null, 2)}\n`);
  process.stdout.write(args.json ? `${JSON.stringify(analysis, null, 2)}\n` : formatAnalysisText(analysis));
  giveToSudoUser(outDir);
  return result.benchmarkFailed ? 1 : 0;
}

/** Under sudo, the run folder goes to the user who asked for it, so they can read, move and delete it. */
function giveToSudoUser(dir: string): void {
  const uid = Number(process.env.SUDO_UID);
  const gid = Number(process.env.SUDO_GID);
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || process.env.SUDO_UID === undefined) return;
  try {
    chownSync(dir, uid, gid);
    for (const f of readdirSync(dir)) chownSync(join(dir, f), uid, gid);
  } catch (e) {
    process.stderr.write(`kvm-trace-lens: warning: cannot give ${dir} to uid ${uid}: ${(e as Error).message}\n`);
  }
}
