import type { TraceEvent } from '../../src/core/records';

/** What an event says, as a plain object: the payload is read through its getter where it is printed on demand. */
export function eventFacts(e: TraceEvent) {
  return {
    timeNs: e.timeNs,
    cpu: e.cpu,
    pid: e.pid,
    comm: e.comm,
    name: e.name,
    system: e.system,
    payload: e.payload,
    instance: e.instance,
  };
}
