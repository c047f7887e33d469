// Advice meets the machine: a knob that is already set is not advised again, and advice that would not take effect
// on this machine says why. Pure: the recommendations and system.json in, new lists out.
import type { Recommendation } from '../analysisTypes';
import { formatDuration } from '../../presentation/format';
import type { SystemState } from './systemState';

export interface NotRecommended {
  id: string;
  reason: string;
}

export interface AdviceOnMachine {
  recommendations: Recommendation[];
  notRecommended: NotRecommended[];
}

/** One recommendation judged against the state: kept (maybe with caveats) or dropped as already set. */
type Verdict = { alreadySet: string } | { caveats: string[] };

const numberParam = (params: Record<string, string> | null | undefined, name: string): number | null => {
  const v = params?.[name];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
};
const isOn = (v: string | undefined) => v !== undefined && /^(y|1|on|true)$/i.test(v);
const settingValue = (setting: string | null, key: string): number | null => {
  const m = setting ? new RegExp(`(?:^|[\\s,.])${key}=(\\d+)`).exec(setting) : null;
  return m ? Number(m[1]) : null;
};

function haltpollDriverInUse(state: SystemState): boolean {
  return state.cpuidle.driver === 'haltpoll' || state.cpuidle.perCpu.some((c) => c.driver === 'haltpoll');
}

/** Why the guest poll window would not be used here, or null when cpuidle-haltpoll is in charge. */
function guestPollingBlocked(state: SystemState): string | null {
  if (haltpollDriverInUse(state)) return null;
  const driver = state.cpuidle.driver ?? 'none';
  if (state.guestHaltPoll === null && state.cpuidleHaltpoll === null) {
    return (
      'guest_halt_poll_ns would not take effect: the cpuidle-haltpoll driver is not loaded ' +
      `(cpuidle driver: ${driver}); build the guest with CONFIG_HALTPOLL_CPUIDLE and load it ` +
      '(modprobe cpuidle-haltpoll).'
    );
  }
  return (
    `guest_halt_poll_ns would not take effect: the cpuidle driver is ${driver}, not haltpoll. ` +
    'cpuidle-haltpoll only registers when the host sets the KVM REALTIME hint ' +
    '(QEMU -cpu …,kvm-hint-dedicated=on, for dedicated pCPUs) or with cpuidle_haltpoll.force=1 on the guest ' +
    'kernel command line.'
  );
}

function guestHaltPolling(rec: Recommendation, state: SystemState): Verdict {
  const wanted = settingValue(rec.setting, 'guest_halt_poll_ns');
  const current = numberParam(state.guestHaltPoll, 'guest_halt_poll_ns');
  const blocked = guestPollingBlocked(state);
  if (!blocked && current !== null && current > 0 && (wanted === null || current >= wanted)) {
    return { alreadySet: `guest_halt_poll_ns=${current} with the haltpoll cpuidle driver in use` };
  }
  const caveats = blocked ? [blocked] : [];
  caveats.push(
    'Guest polling turns host polling off for that vCPU where the host offers KVM_FEATURE_POLL_CONTROL ' +
      '(the guest clears MSR_KVM_POLL_CONTROL): kvm.halt_poll_ns no longer applies to it.',
  );
  return { caveats };
}

function hostHaltPolling(rec: Recommendation, state: SystemState): Verdict {
  const wanted = settingValue(rec.setting, 'halt_poll_ns');
  const current = numberParam(state.kvm, 'halt_poll_ns');
  const caveats: string[] = [];
  if (state.kvm !== null && current !== null && current > 0 && (wanted === null || current >= wanted)) {
    return { alreadySet: `kvm.halt_poll_ns=${current} (${formatDuration(current)})` };
  }
  if (state.kvm === null)
    caveats.push('This system.json is not of a KVM host (no kvm module): set kvm.halt_poll_ns on the host.');
  if (haltpollDriverInUse(state)) {
    caveats.push(
      'This guest uses the cpuidle-haltpoll driver, which turns host polling off for its vCPUs ' +
        '(MSR_KVM_POLL_CONTROL): kvm.halt_poll_ns will not apply to them; tune guest_halt_poll_ns instead.',
    );
  }
  return { caveats };
}

function cmdlineSetting(rec: Recommendation, state: SystemState, key: 'nohz' | 'idle'): Verdict {
  const wanted = rec.setting ? new RegExp(`${key}=(\\S+)`).exec(rec.setting)?.[1] : undefined;
  const current = state.cmdlineKnobs[key];
  if (wanted !== undefined && current === wanted) return { alreadySet: `${key}=${current} on the kernel command line` };
  if (key === 'nohz' && state.cmdlineKnobs.nohz_full !== undefined && rec.setting?.startsWith('nohz_full')) {
    return { alreadySet: `nohz_full=${state.cmdlineKnobs.nohz_full} on the kernel command line` };
  }
  return { caveats: [] };
}

/** APICv (Intel) / AVIC (AMD): already on means something inhibits it for this VM, which no module option fixes. */
function apicVirtualization(state: SystemState): Verdict {
  const intel = state.kvmVendor.kvm_intel;
  const amd = state.kvmVendor.kvm_amd;
  if (intel && isOn(intel.enable_apicv)) {
    return {
      caveats: [
        'kvm_intel.enable_apicv is already Y, yet these exits occur: APICv is inhibited for this VM ' +
          "(e.g. by a PIT in reinject mode, Hyper-V SynIC auto-EOI, or the guest's x2APIC/APIC ID setup); the " +
          'kvm:kvm_apicv_inhibit_changed events name the reason.',
      ],
    };
  }
  if (amd && isOn(amd.avic)) {
    return {
      caveats: [
        'kvm_amd.avic is already on, yet these exits occur: AVIC is inhibited for this VM; the ' +
          'kvm:kvm_apicv_inhibit_changed events name the reason.',
      ],
    };
  }
  if (amd) return { caveats: ['This is an AMD host: the setting is kvm_amd.avic=1.'] };
  if (intel && state.cpu.vmxFlags.length > 0 && !state.cpu.vmxFlags.some((f) => f === 'apicv' || f === 'vid')) {
    return {
      caveats: [
        'This CPU lacks APIC virtualization (no "apicv"/"vid" in /proc/cpuinfo vmx flags): ' +
          'enable_apicv=1 would not take effect; PV EOI (kvm-pv-eoi) is what remains.',
      ],
    };
  }
  if (!intel && !amd) {
    return {
      caveats: ['Neither kvm_intel nor kvm_amd is loaded on the machine of this system.json: set it on the host.'],
    };
  }
  return { caveats: [] };
}

function verdict(rec: Recommendation, state: SystemState): Verdict {
  const setting = rec.setting ?? '';
  if (setting.includes('guest_halt_poll_ns')) return guestHaltPolling(rec, state);
  if (/(^|[^_])halt_poll_ns/.test(setting)) return hostHaltPolling(rec, state);
  if (/^nohz/.test(setting)) return cmdlineSetting(rec, state, 'nohz');
  if (/^idle=/.test(setting)) return cmdlineSetting(rec, state, 'idle');
  if (/enable_apicv|avic/.test(setting)) return apicVirtualization(state);
  return { caveats: [] };
}

export function applySystemState(
  recommendations: readonly Recommendation[],
  notRecommended: readonly NotRecommended[],
  state: SystemState,
): AdviceOnMachine {
  const out: AdviceOnMachine = { recommendations: [], notRecommended: [...notRecommended] };
  for (const rec of recommendations) {
    const v = verdict(rec, state);
    if ('alreadySet' in v) out.notRecommended.push({ id: rec.id, reason: `already set: ${v.alreadySet}.` });
    else out.recommendations.push(v.caveats.length ? { ...rec, evidence: [...rec.evidence, ...v.caveats] } : rec);
  }
  return out;
}
