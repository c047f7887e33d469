// --html OUT.html: the static report from src/core/htmlReport.ts.
import { writeFile } from 'node:fs/promises';
import type { Analysis } from '../core/analysisTypes';
import { renderHtmlReport } from '../core/htmlReport';

export async function writeHtmlReport(analysis: Analysis, out: string): Promise<void> {
  await writeFile(out, renderHtmlReport(analysis));
  process.stderr.write(`kvm-trace-lens: report written to ${out}\n`);
}
