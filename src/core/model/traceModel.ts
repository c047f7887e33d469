// The trace model: routes each event to the guest model (msr, power, ipi, sched events) or the host model (kvm_*),
// which share one critical-path tracker and the wake-up timings. Streaming and bounded: state per CPU / vCPU / task,
// histograms for durations.
import type { TraceEvent } from '../records';
import { CompetingWorkCollector } from './competingWork';
import { CriticalPathTracker, type RoundTrips } from './criticalPath';
import { EventKind, eventKind, isHostKind } from './eventKinds';
import type { TraceFacts } from './facts';
import { GuestBufferChoice } from './guestBuffer';
import { GuestModel } from './guestModel';
import { HostModel } from './hostModel';
import { LineFactStore } from './lineFactStore';
import { WakeTimings } from './wakeTimings';

/** See TraceModel.competingWorkHandover. */
export interface CompetingWorkHandover {
  start: { collector: CompetingWorkCollector; guestBuffer: string | null };
  adopt(collector: CompetingWorkCollector): void;
}

export class TraceModel {
  readonly facts = new LineFactStore();
  readonly path = new CriticalPathTracker();
  readonly wake = new WakeTimings();
  readonly guest: GuestModel;
  readonly host: HostModel;
  /** Other tasks on the guest's CPUs (guest events only). */
  private competingWork = new CompetingWorkCollector();
  // First and last timestamps as plain numbers (valid once `timed`): a field that may hold null keeps each new
  // timestamp in an allocated box, one per event.
  private timed = false;
  private first = Number.NaN;
  private last = Number.NaN;
  events = 0;
  readonly cpusSeen = new Set<number>();
  /** CPUs below 256 already in cpusSeen: a typed-array test per event instead of a set insertion. */
  private readonly cpuMarks = new Uint8Array(256);
  /** Whether every timestamp so far was a whole microsecond (trace-cmd report's default text). */
  private microsecondTimestamps = true;
  private recordFacts = true;
  private readonly guestBuffer = new GuestBufferChoice();

  /** Hears every verdict on an exit (the transaction sketch): the handle `lastVerdict` gave, then its updates. */
  onVerdict: ((handle: number, critical: boolean | null) => void) | null = null;
  /** The verdict recorded for the event last added, if any: a handle (unique per exit) and its critical flag. */
  lastVerdict: { handle: number; critical: boolean | null } | null = null;
  /** The one object `lastVerdict` points to (read before the next event): no allocation per exit. */
  private readonly verdict: { handle: number; critical: boolean | null } = { handle: 0, critical: null };
  private unrecorded = 0;

  constructor() {
    // A handle is the line fact's index (≥ 0) or, for exits without a stored fact, a unique negative number ≤ -2.
    const record = (line: number | null, critical: boolean | null, durationNs: number | null) => {
      const fact = this.recordFacts && line !== null ? this.facts.add(line, critical, durationNs, null) : -1;
      const handle = fact >= 0 ? fact : -2 - this.unrecorded++;
      this.verdict.handle = handle;
      this.verdict.critical = critical;
      this.lastVerdict = this.verdict;
      return handle;
    };
    const update = (i: number, critical: boolean | null, durationNs: number | null) => {
      this.facts.update(i, critical, durationNs);
      this.onVerdict?.(i, critical);
    };
    this.guest = new GuestModel(this.path, this.wake, record, update);
    this.host = new HostModel(this.path, this.wake, record, update);
  }

  get competing(): CompetingWorkCollector {
    return this.competingWork;
  }

  /**
   * The competing-work collector as it stands and the guest buffer chosen, for a reader thread to go on with on the
   * events it reads (their `competingWorkDone` set): `adopt` takes its collector back at the end of that input. Until
   * then a partial analysis sees the collector as it was before that input.
   */
  competingWorkHandover(): CompetingWorkHandover {
    return {
      start: { collector: this.competingWork, guestBuffer: this.guestBuffer.chosen },
      adopt: (collector) => (this.competingWork = collector),
    };
  }

  setRecordFacts(on: boolean): void {
    this.recordFacts = on;
  }

  /** `kind`: the event's kind when the caller has looked it up already. */
  add(ev: TraceEvent, kind: EventKind = eventKind(ev.name)): void {
    this.events++;
    this.lastVerdict = null;
    const t = ev.timeNs;
    if (!this.timed || t < this.first) this.first = t;
    if (!this.timed || t > this.last) this.last = t;
    this.timed = true;
    if (this.microsecondTimestamps && t % 1000 !== 0) this.microsecondTimestamps = false;
    const host = isHostKind(kind);
    if (!host && !this.guestBuffer.follows(ev, kind)) return;
    if (ev.cpu >= 0) this.noteCpu(ev.cpu);
    if (host) this.host.add(ev, kind);
    else {
      this.guest.add(ev, kind);
      // the reader thread fed it to that thread's collector, which replaces this one at the input's end
      if (ev.competingWorkDone !== true) this.competing.add(ev, kind);
    }
  }

  private noteCpu(cpu: number): void {
    if (cpu < 256 && this.cpuMarks[cpu] === 1) return;
    if (cpu < 256) this.cpuMarks[cpu] = 1;
    this.cpusSeen.add(cpu);
  }

  get firstNs(): number | null {
    return this.timed ? this.first : null;
  }

  get lastNs(): number | null {
    return this.timed ? this.last : null;
  }

  get durationNs(): number | null {
    const { firstNs, lastNs } = this;
    return firstNs !== null && lastNs !== null && lastNs > firstNs ? lastNs - firstNs : null;
  }

  roundTrips(): RoundTrips {
    return this.path.roundTrips();
  }

  finish(): void {
    this.host.finish();
    this.guest.finish();
  }

  traceFacts(): TraceFacts {
    const withIdle = this.guest.cpusWithIdleEvents;
    const silent = withIdle.size > 0 ? [...this.cpusSeen].filter((c) => !withIdle.has(c)).sort((a, b) => a - b) : [];
    return {
      durationNs: this.durationNs,
      cpus: this.cpusSeen.size,
      cpusWithoutIdleEvents: silent,
      cpusWithIdleEvents: withIdle.size,
      timestampResolutionNs: this.events > 0 && this.microsecondTimestamps ? 1000 : 1,
    };
  }
}
