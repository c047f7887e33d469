// Fake tracefs and /proc + /sys trees for the capture tests: plain files and directories in a temporary folder.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `kvl-${prefix}-`));
}

export function writeTree(root: string, files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** A tracefs with these "system:name" events, `before` already enabled, tracing on, an unexpanded buffer. */
export function fakeTracefs(events: readonly string[], before: readonly string[] = []): string {
  const root = tempDir('tracefs');
  writeTree(root, {
    set_event: before.map((e) => `${e}\n`).join(''),
    tracing_on: '1\n',
    buffer_size_kb: '7 (expanded: 1408)\n',
    trace: '# tracer: nop\n',
    'per_cpu/cpu0/stats': 'entries: 0\noverrun: 0\n',
    'per_cpu/cpu1/stats': 'entries: 0\noverrun: 12\n',
  });
  for (const e of events) mkdirSync(join(root, 'events', ...e.split(':')), { recursive: true });
  return root;
}
