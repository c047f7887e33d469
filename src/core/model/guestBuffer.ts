// A trace.dat may hold several buffers (trace-cmd -B / -A): CPU numbers of different buffers are different CPUs.
// The guest-side model follows one buffer: the first that shows a guest exit event (write_msr, cpu_idle). Until one
// does, every event is followed.
import type { TraceEvent } from '../records';
import { EventKind } from './eventKinds';

export class GuestBufferChoice {
  /** The buffer followed ('' = top); null until a guest exit event is seen. */
  constructor(public chosen: string | null = null) {}

  /** Whether the guest-side model follows `ev` (a guest-side event of kind `kind`). */
  follows(ev: TraceEvent, kind: EventKind): boolean {
    const buffer = ev.instance ?? '';
    if (this.chosen === null) {
      if (kind === EventKind.writeMsr || kind === EventKind.cpuIdle) this.chosen = buffer;
      return true;
    }
    return buffer === this.chosen;
  }
}
