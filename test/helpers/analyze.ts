import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFiles } from '../../src/core/analyze';
import type { Analysis } from '../../src/core/analysisTypes';

/** Writes text inputs to a temporary folder and analyses them together. */
export async function analyzeTexts(files: Record<string, string>): Promise<Analysis> {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-test-'));
  const paths = Object.entries(files).map(([name, text]) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  });
  return analyzeFiles(paths);
}

export function reason(a: Analysis, name: string) {
  const r = a.exits?.byReason.find((x) => x.reason === name);
  if (!r) throw new Error(`no exit reason ${name} in ${a.exits?.byReason.map((x) => x.reason).join(', ')}`);
  return r;
}

/** A part of a host exit row: what a later event (kvm_msr, kvm_apic, kvm_mmio) says the row's exits did. */
export function part(a: Analysis, name: string, detail: string) {
  const p = reason(a, name).parts?.find((x) => x.detail === detail);
  if (!p)
    throw new Error(
      `no part ${detail} of ${name}: ${reason(a, name)
        .parts?.map((x) => x.detail)
        .join(', ')}`,
    );
  return p;
}
