// One trace.dat event as the event list shows it, the list's filter, and the line as `trace-cmd report` prints it.
// Pure (no I/O, no DOM): the host pages and filters with it and the webview draws with it.

/** One event as the list shows it. */
export interface EventRow {
  /** 0-based number of the event in the unfiltered trace, in `trace-cmd report` order (stable across filters). */
  index: number;
  timeNs: number;
  cpu: number;
  pid: number;
  comm: string;
  name: string;
  payload: string;
  /** The trace-cmd buffer instance, absent for the top instance. */
  instance?: string;
}

export interface EventFilter {
  /** Event names to show; empty: all. */
  names: readonly string[];
  /** CPUs to show; empty: all. */
  cpus: readonly number[];
  /** Case-insensitive text anywhere in the payload, name or task, or the pid exactly; '' for none. */
  text: string;
}

export const NO_FILTER: EventFilter = { names: [], cpus: [], text: '' };

export function isNoFilter(f: EventFilter): boolean {
  return f.names.length === 0 && f.cpus.length === 0 && f.text === '';
}

/** A stable key for caching a filter's index. */
export function filterKey(f: EventFilter): string {
  return JSON.stringify([[...f.names].sort(), [...f.cpus].sort((a, b) => a - b), f.text.toLowerCase()]);
}

/** Does the row pass the filter? */
export function matchesFilter(r: EventRow, f: EventFilter): boolean {
  if (f.names.length > 0 && !f.names.includes(r.name)) return false;
  if (f.cpus.length > 0 && !f.cpus.includes(r.cpu)) return false;
  if (f.text === '') return true;
  const needle = f.text.toLowerCase();
  return (
    r.payload.toLowerCase().includes(needle) ||
    r.name.toLowerCase().includes(needle) ||
    r.comm.toLowerCase().includes(needle) ||
    String(r.pid) === f.text.trim()
  );
}

/**
 * trace-cmd's timestamp: seconds right-aligned in 5, then 6 decimals (µs, the default) or 9 (ns, `report -t`).
 * µs are rounded, as libtraceevent has printed them since "Round up in tep_print_event() time precision" (2019).
 */
export function formatTraceCmdTime(timeNs: number, precision: 'us' | 'ns' = 'us'): string {
  if (precision === 'ns') {
    const secs = Math.floor(timeNs / 1e9);
    return `${String(secs).padStart(5)}.${String(timeNs - secs * 1e9).padStart(9, '0')}`;
  }
  const us = Math.floor((timeNs + 500) / 1000);
  const secs = Math.floor(us / 1e6);
  return `${String(secs).padStart(5)}.${String(us - secs * 1e6).padStart(6, '0')}`;
}

/**
 * The line as `trace-cmd report` prints it: "comm-pid [cpu] secs.usecs: name: payload". With buffer instances it
 * puts "<instance>: " in front of an instance's lines and as many blanks in front of the top instance's;
 * `instanceWidth` is that prefix's width (0 for a file with one buffer).
 */
export function formatEventLine(r: EventRow, precision: 'us' | 'ns' = 'us', instanceWidth = 0): string {
  const prefix = instanceWidth > 0 ? (r.instance === undefined ? '' : `${r.instance}: `).padEnd(instanceWidth) : '';
  const task = `${r.comm.padStart(16)}-${String(r.pid).padEnd(5)}`;
  const time = formatTraceCmdTime(r.timeNs, precision);
  return `${prefix}${task} [${String(r.cpu).padStart(3, '0')}] ${time}: ${`${r.name}:`.padEnd(21)} ${r.payload}`;
}

/** The prefix width trace-cmd gives instance labels: the longest "<name>: " (0 without instances). */
export function instanceWidthOf(instances: readonly string[]): number {
  return instances.reduce((w, name) => Math.max(w, name.length + 2), 0);
}

/**
 * The events behind an exit reason of the analysis (the reason keys of knowledge/reasonKey.ts), as a list filter:
 * a guest MSR write ("msr_write 0x830") is a write_msr event of that MSR, a guest halt a cpu_idle event, a host
 * MSR access a kvm_msr event, any other host reason a kvm_exit with that reason.
 */
export function exitEventFilter(reason: string): EventFilter {
  const guestMsr = /^msr_write 0x([0-9a-f]+)$/.exec(reason);
  if (guestMsr) return { names: ['write_msr'], cpus: [], text: `${guestMsr[1].toLowerCase()}, value` };
  if (reason === 'hlt' || reason === 'hlt (inferred)') return { names: ['cpu_idle'], cpus: [], text: '' };
  const hostMsr = /^MSR_(WRITE|READ) 0x([0-9a-f]+)$/.exec(reason);
  if (hostMsr) {
    return { names: ['kvm_msr'], cpus: [], text: `msr_${hostMsr[1].toLowerCase()} ${hostMsr[2].toLowerCase()} ` };
  }
  return { names: ['kvm_exit'], cpus: [], text: `reason ${reason.split(' ')[0]} ` };
}
