// What one trace line is, for hovers: built on the same exit table and payload parsers as the model.
import type { ExitCategory } from './analysisTypes';
import {
  icrFields,
  parseApicIpi,
  parseCpuIdle,
  parseHaltPollNs,
  parseIpiTargets,
  parseKvmExit,
  parseMsrAccess,
  parseVcpuWakeup,
} from './eventFields';
import { CPU_IDLE_EXIT, describeExit, hex, msrInfo, X2APIC_ICR_MSR } from './knowledge/exitTable';
import { GUEST_HALT_REASON, guestMsrWriteReason, hostMsrAccessReason } from './knowledge/reasonKey';
import { parseTraceLine } from './readers/traceText';

export interface LineExplanation {
  /** Event name, e.g. "write_msr", "kvm_exit", "cpu_idle". */
  event: string;
  /** One-line title, e.g. "0x830 x2APIC ICR write: IPI send". */
  title: string;
  /** Exit category when this line is (or implies) a VM exit. */
  category: ExitCategory | null;
  /** True when the line is a VM exit (host kvm_exit) or implies one in a guest trace (ICR/timer write, HLT). */
  isExit: boolean;
  /** A sentence or two on what it costs and why it matters. */
  description: string;
  /** Grouping key matching an exits.byReason[].reason (or the event name) for "N like it in this file". */
  key: string;
  /** Character range [start, end) of the most interesting token in the line (reason, MSR number ...). */
  tokenStart: number;
  tokenEnd: number;
}

function icrText(valueHex: string): string {
  const { dest, vector } = icrFields(valueHex);
  return ` Destination APIC id ${dest}, vector ${hex(vector)}.`;
}

function sentence(text: string): string {
  return text.endsWith('.') ? text : `${text}.`;
}

function tokenRange(text: string, token: string, from: number): [number, number] {
  const at = text.indexOf(token, from);
  return at < 0 ? [from, from] : [at, at + token.length];
}

/** Explains one line of trace text; null for lines that are not events. */
export function explainTraceLine(text: string): LineExplanation | null {
  const ev = parseTraceLine(text);
  if (!ev) return null;
  const payloadAt = Math.max(0, text.lastIndexOf(ev.payload.slice(0, 24)));
  const base = (fields: Omit<LineExplanation, 'event' | 'tokenStart' | 'tokenEnd'>, token: string): LineExplanation => {
    const [tokenStart, tokenEnd] = tokenRange(text, token, payloadAt);
    return { event: ev.name, tokenStart, tokenEnd, ...fields };
  };
  switch (ev.name) {
    case 'kvm_exit': {
      const e = parseKvmExit(ev.payload);
      if (!e) break;
      return base(
        {
          title: `VM exit: ${e.reason}`,
          category: e.info.category,
          isExit: true,
          description: e.info.description,
          key: e.reason,
        },
        e.reason,
      );
    }
    case 'write_msr':
    case 'read_msr':
    case 'kvm_msr': {
      const m = parseMsrAccess(ev.name, ev.payload);
      if (!m) break;
      const info = msrInfo(m.msr);
      const name = info?.name ?? 'unknown MSR';
      const guest = ev.name !== 'kvm_msr';
      const isExit = m.write && info !== undefined && info.category !== null;
      const what = m.write ? 'write' : 'read';
      const token = ev.payload.match(guest ? /^[0-9a-f]+/i : /[0-9a-f]+(?= =)/i)?.[0] ?? '';
      return base(
        {
          title: `${hex(m.msr)} ${name} ${what}${isExit && guest ? ' — a VM exit' : ''}`,
          category: info?.category ?? null,
          isExit,
          description:
            sentence(info?.description ?? 'An MSR KVM Trace Lens has no notes on') +
            (m.write && m.msr === X2APIC_ICR_MSR && m.valueHex !== null ? icrText(m.valueHex) : ''),
          key: !guest ? hostMsrAccessReason(m.write, m.msr) : m.write ? guestMsrWriteReason(m.msr) : ev.name,
        },
        token,
      );
    }
    case 'cpu_idle': {
      const idle = parseCpuIdle(ev.payload);
      if (!idle) break;
      if (idle.state === CPU_IDLE_EXIT) {
        return base(
          {
            title: 'Leaving idle',
            category: null,
            isExit: false,
            description: 'The CPU leaves its idle state: a halted vCPU was woken (by an IPI or timer).',
            key: 'cpu_idle exit',
          },
          'state=',
        );
      }
      if (idle.state === 0) {
        return base(
          {
            title: 'Idle: polling (no exit)',
            category: null,
            isExit: false,
            description:
              "cpuidle-haltpoll's poll state: the vCPU spins in the guest, so a wake-up needs no IPI exit and no " +
              'host wake-up.',
            key: 'cpu_idle poll',
          },
          'state=0',
        );
      }
      return base(
        {
          title: `Idle state ${idle.state}: HLT — a VM exit`,
          category: 'halt',
          isExit: true,
          description: describeExit('HLT').description,
          key: GUEST_HALT_REASON,
        },
        `state=${idle.state}`,
      );
    }
    case 'ipi_send_cpu':
    case 'ipi_send_cpumask': {
      const targets = parseIpiTargets(ev.name, ev.payload) ?? [];
      return base(
        {
          title: `IPI send to CPU ${targets.join(',')}`,
          category: 'ipi',
          isExit: false,
          description:
            'The kernel is about to send an IPI; the ICR write that follows is the VM exit. A wake-up IPI hands ' +
            'the critical path to the target CPU.',
          key: ev.name,
        },
        ev.payload.split(' ')[0],
      );
    }
    case 'kvm_apic_ipi': {
      const ipi = parseApicIpi(ev.payload);
      if (!ipi) break;
      return base(
        {
          title: `IPI to APIC ${ipi.dest}, vector ${ipi.vector}`,
          category: 'ipi',
          isExit: false,
          description:
            'KVM emulates an IPI the guest sent: the target vCPU is kicked, and woken through the host scheduler ' +
            'if it halted.',
          key: 'kvm_apic_ipi',
        },
        'dst',
      );
    }
    case 'kvm_vcpu_wakeup': {
      const w = parseVcpuWakeup(ev.payload);
      if (!w) break;
      return base(
        {
          title: w.polled ? `Woken while halt polling after ${w.ns} ns` : `Woken after waiting ${w.ns} ns`,
          category: 'halt',
          isExit: false,
          description: w.polled
            ? 'Halt polling caught the wake-up: no schedule-out/in of the vCPU thread.'
            : 'The vCPU thread was scheduled out while halted; the wake-up went through the host scheduler ' +
              '(Matlack, KVM Forum 2015: ~5.5 µs).',
          key: 'kvm_vcpu_wakeup',
        },
        w.polled ? 'poll' : 'wait',
      );
    }
    case 'kvm_halt_poll_ns':
    case 'guest_halt_poll_ns': {
      const p = parseHaltPollNs(ev.payload);
      if (!p) break;
      return base(
        {
          title: `Halt-poll window ${p.grow ? 'grows' : 'shrinks'} to ${p.ns} ns`,
          category: null,
          isExit: false,
          description:
            p.ns === 0
              ? 'A window of 0: polling is off (or shrunk to nothing).'
              : 'The adaptive poll window after this idle period.',
          key: ev.name,
        },
        'halt_poll_ns',
      );
    }
    default:
  }
  return base(
    {
      title: ev.name,
      category: null,
      isExit: false,
      description: `Trace event ${ev.system ? `${ev.system}:` : ''}${ev.name}.`,
      key: ev.name,
    },
    ev.name,
  );
}
