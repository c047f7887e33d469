// Access to tracefs through an injectable root, so tests run against a fake directory tree without root.
// Synchronous on purpose: the state must be restorable from a signal handler (Ctrl-C) before the process exits.
import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where tracefs is normally found: its own mount point (Linux ≥ 4.1) and the older place under debugfs. */
export const TRACEFS_CANDIDATES = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'] as const;

export class CaptureError extends Error {}

/** What `record` changes in tracefs and must put back. */
export interface TracefsState {
  setEvent: string[];
  tracingOn: string;
  bufferSizeKb: number | null;
}

export class Tracefs {
  constructor(readonly root: string) {}

  private path(name: string): string {
    return join(this.root, name);
  }

  read(name: string): string {
    return readFileSync(this.path(name), 'utf8');
  }

  write(name: string, value: string): void {
    writeFileSync(this.path(name), value);
  }

  /** True when the kernel has this "system:name" event. */
  hasEvent(id: string): boolean {
    const [system, name] = id.split(':');
    return existsSync(join(this.root, 'events', system, name));
  }

  /** Enabled events, one "system:name" per line (what set_event lists). */
  enabledEvents(): string[] {
    return this.read('set_event')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
  }

  /** Replaces the enabled events: a truncating write clears set_event, each appended line enables one. */
  setEvents(ids: readonly string[]): void {
    this.write('set_event', '');
    for (const id of ids) appendFileSync(this.path('set_event'), `${id}\n`);
  }

  /** Per-CPU buffer size. "7 (expanded: 1408)" means not yet allocated; 1408 KB is what tracing would use. */
  bufferSizeKb(): number | null {
    const text = this.read('buffer_size_kb');
    const expanded = /expanded:\s*(\d+)/.exec(text);
    const plain = /^\s*(\d+)/.exec(text);
    return expanded ? Number(expanded[1]) : plain ? Number(plain[1]) : null;
  }

  saveState(): TracefsState {
    return {
      setEvent: this.enabledEvents(),
      tracingOn: this.read('tracing_on').trim(),
      bufferSizeKb: this.bufferSizeKb(),
    };
  }

  /** Puts every saved value back, each on its own so that one failure does not leave the others changed. */
  restoreState(state: TracefsState): string[] {
    const failures: string[] = [];
    const attempt = (what: string, action: () => void) => {
      try {
        action();
      } catch (e) {
        failures.push(`${what}: ${(e as Error).message}`);
      }
    };
    attempt('tracing_on', () => this.write('tracing_on', state.tracingOn));
    attempt('set_event', () => this.setEvents(state.setEvent));
    if (state.bufferSizeKb !== null)
      attempt('buffer_size_kb', () => this.write('buffer_size_kb', String(state.bufferSizeKb)));
    return failures;
  }

  /** Events lost because a per-CPU buffer was full, summed over CPUs ("overrun:" in per_cpu/cpuN/stats). */
  overruns(): number {
    const dir = this.path('per_cpu');
    if (!existsSync(dir)) return 0;
    let total = 0;
    for (const cpu of readdirSync(dir)) {
      const stats = join(dir, cpu, 'stats');
      if (!existsSync(stats)) continue;
      const m = /^overrun:\s*(\d+)/m.exec(readFileSync(stats, 'utf8'));
      if (m) total += Number(m[1]);
    }
    return total;
  }
}

/** The first candidate that is a mounted tracefs (it has set_event), or null. */
export function findTracefs(candidates: readonly string[] = TRACEFS_CANDIDATES): string | null {
  return candidates.find((dir) => existsSync(join(dir, 'set_event'))) ?? null;
}
