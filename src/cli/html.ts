// --html OUT.html: writes a static report (src/presentation/htmlReport.ts) and says where, or why it could not.
import { writeFile } from 'node:fs/promises';

/** True when written; a failure is reported on stderr. */
export async function writeHtml(html: string, out: string): Promise<boolean> {
  try {
    await writeFile(out, html);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its folder does not exist' : (code ?? (e as Error).message);
    process.stderr.write(`kvm-trace-lens: cannot write ${out}: ${why}\n`);
    return false;
  }
  process.stderr.write(`kvm-trace-lens: report written to ${out}\n`);
  return true;
}
