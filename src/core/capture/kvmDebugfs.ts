// KVM's halt-poll counters in debugfs (/sys/kernel/debug/kvm: host-wide sums, one directory per VM), read before and
// after a host recording so the run folder holds what happened during it, in the `grep . …` dump form.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const KVM_DEBUGFS = 'sys/kernel/debug/kvm';

/** "/sys/kernel/debug/kvm[/VM]/halt_*" → value, for every readable scalar halt counter; empty without debugfs. */
export function readKvmHaltCounters(root = '/'): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(join(root, dir));
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const path = `${dir}/${name}`;
      let isDir: boolean;
      try {
        isDir = statSync(join(root, path)).isDirectory();
      } catch {
        continue;
      }
      if (isDir && depth === 0) visit(path, 1);
      else if (!isDir && /^halt_\w+$/.test(name) && !name.endsWith('_hist')) {
        try {
          const value = readFileSync(join(root, path), 'utf8').trim();
          if (/^\d+$/.test(value)) out.set(`/${path}`, Number(value));
        } catch {
          // unreadable (permissions, a VM going away): left out
        }
      }
    }
  };
  visit(KVM_DEBUGFS, 0);
  return out;
}

/** What each counter gained between the two readings, as "PATH:VALUE" lines ('' when there was nothing to read). */
export function haltCountersDelta(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): string {
  const lines: string[] = [];
  for (const [path, value] of after) lines.push(`${path}:${Math.max(0, value - (before.get(path) ?? 0))}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}
