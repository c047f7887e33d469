// STUB: --html report (filled in later).
import { writeFile } from 'node:fs/promises';
import type { Analysis } from '../core/analysisTypes';

export async function writeHtmlReport(analysis: Analysis, out: string): Promise<void> {
  await writeFile(out, `<!doctype html><meta charset="utf-8"><pre>${JSON.stringify(analysis, null, 2).replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</pre>`);
}
