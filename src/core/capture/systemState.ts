// The machine state that decides what advice means (system.json of a run folder), read from an injectable root
// so tests use a fake /proc + /sys tree. Every value is optional: a missing file is null, never an error.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const SYSTEM_SCHEMA = 'kvm-trace-lens/system@1';

/** Command-line parameters that change idle, timer and polling behaviour. */
const CMDLINE_KNOBS = new RegExp(
  '^(nohz|nohz_full|idle|isolcpus|rcu_nocbs|cpuidle\\.off|cpuidle_haltpoll\\.\\w+|haltpoll\\.\\w+|kvm\\.\\w+|' +
    'kvm_intel\\.\\w+|kvm_amd\\.\\w+|intel_idle\\.\\w+|processor\\.max_cstate|clocksource|tsc|nox2apic|noapictimer)$',
);
/** CPU flags that matter to exits: x2APIC (MSR-based APIC), TSC deadline timer, under a hypervisor, VT-x/SVM. */
const CPU_FLAGS_OF_INTEREST = [
  'x2apic',
  'tsc_deadline_timer',
  'hypervisor',
  'vmx',
  'svm',
  'constant_tsc',
  'nonstop_tsc',
  'tsc_known_freq',
  'arat',
  'monitor',
  'mwaitx',
];
/** KVM vendor modules whose parameters decide APICv/AVIC and the like. */
const KVM_VENDOR_MODULES = ['kvm_intel', 'kvm_amd', 'kvm_pvm'];

export interface CpuIdleState {
  cpu: number;
  driver: string | null;
  /** Idle state names in order (e.g. ["POLL", "haltpoll idle"]), disabled ones marked "(disabled)". */
  states: string[];
}

export interface SystemState {
  schema: typeof SYSTEM_SCHEMA;
  kernel: { release: string | null; version: string | null };
  cmdline: string | null;
  /** The command-line parameters of interest, "key" → value ("" for a bare flag such as nohz_full without "="). */
  cmdlineKnobs: Record<string, string>;
  cpuidle: { driver: string | null; governor: string | null; perCpu: CpuIdleState[] };
  /** /sys/module/haltpoll/parameters (guest_halt_poll_ns, _grow, _grow_start, _shrink, _allow_shrink); null: absent. */
  guestHaltPoll: Record<string, string> | null;
  /** /sys/module/cpuidle_haltpoll/parameters (force); null when the driver module is absent. */
  cpuidleHaltpoll: Record<string, string> | null;
  /** /sys/module/kvm/parameters (halt_poll_ns, halt_poll_ns_grow, _grow_start, _shrink, …); null: not a KVM host. */
  kvm: Record<string, string> | null;
  /** Parameters of kvm_intel / kvm_amd / … (enable_apicv, avic, …) by module name; only loaded modules. */
  kvmVendor: Record<string, Record<string, string>>;
  clocksource: { current: string | null; available: string[] };
  cpu: { model: string | null; count: number | null; flags: string[]; vmxFlags: string[] };
}

function readText(root: string, path: string): string | null {
  try {
    return readFileSync(join(root, path), 'utf8').trim();
  } catch {
    return null;
  }
}

function listDir(root: string, path: string): string[] {
  try {
    return readdirSync(join(root, path));
  } catch {
    return [];
  }
}

/** Every readable file of a module's parameters directory; null when the module is not loaded (no directory). */
function moduleParameters(root: string, module: string): Record<string, string> | null {
  const dir = `sys/module/${module}/parameters`;
  if (!existsSync(join(root, dir))) return null;
  const out: Record<string, string> = {};
  for (const name of listDir(root, dir).sort()) {
    const value = readText(root, `${dir}/${name}`);
    if (value !== null) out[name] = value;
  }
  return out;
}

export function cmdlineKnobs(cmdline: string): Record<string, string> {
  const out: Record<string, string> = {};
  // Parameters after a lone "--" go to init, not the kernel.
  for (const word of cmdline.split(/\s+/)) {
    if (word === '--') break;
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    if (CMDLINE_KNOBS.test(key)) out[key] = eq < 0 ? '' : word.slice(eq + 1);
  }
  return out;
}

/** "0-3,6" → 5 CPUs. */
export function countCpuList(list: string): number | null {
  let n = 0;
  for (const part of list.split(',').filter((p) => p.trim() !== '')) {
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a) || (b !== undefined && !Number.isInteger(b))) return null;
    n += b === undefined ? 1 : b - a + 1;
  }
  return n > 0 ? n : null;
}

function cpuIdle(root: string): SystemState['cpuidle'] {
  const base = 'sys/devices/system/cpu';
  const driver = readText(root, `${base}/cpuidle/current_driver`);
  const governor =
    readText(root, `${base}/cpuidle/current_governor`) ?? readText(root, `${base}/cpuidle/current_governor_ro`);
  const cpus = listDir(root, base)
    .map((d) => /^cpu(\d+)$/.exec(d))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const perCpu: CpuIdleState[] = [];
  for (const cpu of cpus) {
    const dir = `${base}/cpu${cpu}/cpuidle`;
    const stateDirs = listDir(root, dir)
      .filter((d) => /^state\d+$/.test(d))
      .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
    if (stateDirs.length === 0) continue;
    const states = stateDirs.map((s) => {
      const name = readText(root, `${dir}/${s}/name`) ?? s;
      return readText(root, `${dir}/${s}/disable`) === '1' ? `${name} (disabled)` : name;
    });
    // A per-CPU driver exists only with CONFIG_CPU_IDLE_MULTIPLE_DRIVERS.
    perCpu.push({ cpu, driver: readText(root, `${dir}/driver/name`) ?? driver, states });
  }
  return { driver, governor, perCpu };
}

function cpuInfo(root: string): SystemState['cpu'] {
  const text = readText(root, 'proc/cpuinfo') ?? '';
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1].trim() ?? null;
  const flags = (field('flags') ?? field('Features') ?? '').split(/\s+/);
  const online = readText(root, 'sys/devices/system/cpu/online');
  const processors = (text.match(/^processor\s*:/gm) ?? []).length;
  return {
    model: field('model name') ?? field('cpu model') ?? field('uarch'),
    count: (online !== null ? countCpuList(online) : null) ?? (processors > 0 ? processors : null),
    flags: CPU_FLAGS_OF_INTEREST.filter((f) => flags.includes(f)),
    vmxFlags: (field('vmx flags') ?? '').split(/\s+/).filter((f) => f !== ''),
  };
}

/** Reads the state from `root` ("/" on a real machine). */
export function readSystemState(root = '/'): SystemState {
  const cmdline = readText(root, 'proc/cmdline');
  const kvmVendor: Record<string, Record<string, string>> = {};
  for (const m of KVM_VENDOR_MODULES) {
    const params = moduleParameters(root, m);
    if (params) kvmVendor[m] = params;
  }
  const clock = 'sys/devices/system/clocksource/clocksource0';
  return {
    schema: SYSTEM_SCHEMA,
    kernel: { release: readText(root, 'proc/sys/kernel/osrelease'), version: readText(root, 'proc/version') },
    cmdline,
    cmdlineKnobs: cmdline ? cmdlineKnobs(cmdline) : {},
    cpuidle: cpuIdle(root),
    guestHaltPoll: moduleParameters(root, 'haltpoll'),
    cpuidleHaltpoll: moduleParameters(root, 'cpuidle_haltpoll'),
    kvm: moduleParameters(root, 'kvm'),
    kvmVendor,
    clocksource: {
      current: readText(root, `${clock}/current_clocksource`),
      available: (readText(root, `${clock}/available_clocksource`) ?? '').split(/\s+/).filter((s) => s !== ''),
    },
    cpu: cpuInfo(root),
  };
}

/** A system.json as read back from disk; null when it is not one of ours. */
export function parseSystemState(text: string): SystemState | null {
  try {
    const value = JSON.parse(text) as SystemState;
    return value && value.schema === SYSTEM_SCHEMA ? value : null;
  } catch {
    return null;
  }
}
