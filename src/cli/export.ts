// `kvm-trace-lens export --perfetto OUT.json FILE...`: the trace as JSON trace events for the Perfetto UI and
// chrome://tracing. The summary goes to stderr (stdout stays empty: the result is the file).
import { exportPerfetto } from '../core/index';
import { formatCount } from '../presentation/format';

export const EXPORT_USAGE = '  kvm-trace-lens export --perfetto OUT.json FILE...';

/** Exit status as the outside contract fixes it: 0 done (warnings too), 2 usage error, 1 no trace event at all. */
export async function exportCommand(argv: readonly string[]): Promise<number> {
  let out: string | null = null;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--perfetto') {
      out = argv[++i] ?? null;
      if (out === null) return usage('--perfetto needs an output file name');
    } else if (a.startsWith('--')) return usage(`unknown option "${a}"`);
    else files.push(a);
  }
  if (out === null) return usage('export needs --perfetto OUT.json');
  if (files.length === 0) return usage('export needs at least one trace file');
  let result;
  try {
    result = await exportPerfetto(files, out);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    process.stderr.write(
      `kvm-trace-lens: cannot write ${out}: ` +
        `${code === 'ENOENT' ? 'its folder does not exist' : (code ?? (e as Error).message)}\n`,
    );
    return 1;
  }
  for (const input of result.inputs) {
    for (const w of input.warnings)
      process.stderr.write(`${input.path}${w.line !== null ? `:${w.line}` : ''}: warning: ${w.message}\n`);
  }
  const w = result.written;
  if (result.events === 0) {
    process.stderr.write(`kvm-trace-lens: no trace events in ${files.join(', ')}; ${out} holds an empty trace\n`);
    return 1;
  }
  process.stderr.write(
    `${out}: ${formatCount(w.slices)} slices, ${formatCount(w.flows)} flows from ${formatCount(result.events)} ` +
      'trace events (open it in https://ui.perfetto.dev or chrome://tracing)\n',
  );
  return 0;
}

function usage(message: string): number {
  process.stderr.write(`kvm-trace-lens: ${message}\nusage:\n${EXPORT_USAGE}\n`);
  return 2;
}
