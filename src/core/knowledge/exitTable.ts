// The one table of VM-exit knowledge: VMX basic exit reasons, SVM exit codes, arm64 exception classes, MSRs and
// xAPIC registers, each with a category. Parser, hover, model and recommendations all look things up here.
import type { ExitCategory } from '../analysisTypes';

export interface ExitInfo {
  name: string;
  category: ExitCategory;
  description: string;
}

type Row = [code: number, name: string, category: ExitCategory, description: string];

/** Intel VMX basic exit reasons (SDM vol. 3C appendix C; Linux arch/x86/include/uapi/asm/vmx.h names). */
const VMX: Row[] = [
  [0, 'EXCEPTION_NMI', 'other', 'Guest exception or NMI intercepted (e.g. #PF under shadow paging, #UD, #DB)'],
  [
    1,
    'EXTERNAL_INTERRUPT',
    'external-interrupt',
    'A host interrupt arrived while the guest ran (device, host timer, host IPI)',
  ],
  [2, 'TRIPLE_FAULT', 'other', 'Guest triple fault: the guest resets'],
  [3, 'INIT_SIGNAL', 'other', 'INIT signal (vCPU reset / AP start-up)'],
  [4, 'SIPI_SIGNAL', 'other', 'Start-up IPI (AP start-up)'],
  [5, 'IO_SMI', 'other', 'I/O system-management interrupt'],
  [6, 'OTHER_SMI', 'other', 'Other system-management interrupt'],
  [7, 'INTERRUPT_WINDOW', 'other', 'The guest opened its interrupt window so a pending interrupt can be injected'],
  [8, 'NMI_WINDOW', 'other', 'NMI window opened for a pending NMI'],
  [9, 'TASK_SWITCH', 'other', 'Hardware task switch'],
  [10, 'CPUID', 'other', 'CPUID instruction (always exits on VMX)'],
  [11, 'GETSEC', 'other', 'GETSEC instruction'],
  [
    12,
    'HLT',
    'halt',
    'The vCPU executed HLT: it is idle until an interrupt wakes it; waking costs a host schedule-in unless halt ' +
      'polling catches it',
  ],
  [13, 'INVD', 'other', 'INVD instruction'],
  [14, 'INVLPG', 'other', 'INVLPG (shadow paging)'],
  [15, 'RDPMC', 'other', 'RDPMC instruction'],
  [16, 'RDTSC', 'other', 'RDTSC intercepted (TSC scaling/offsetting off)'],
  [17, 'RSM', 'other', 'RSM from SMM'],
  [18, 'VMCALL', 'other', 'Hypercall (VMCALL), e.g. KVM PV features, kvm_hc_send_ipi'],
  [19, 'VMCLEAR', 'other', 'Nested VMX instruction'],
  [20, 'VMLAUNCH', 'other', 'Nested VMX instruction'],
  [21, 'VMPTRLD', 'other', 'Nested VMX instruction'],
  [22, 'VMPTRST', 'other', 'Nested VMX instruction'],
  [23, 'VMREAD', 'other', 'Nested VMX instruction'],
  [24, 'VMRESUME', 'other', 'Nested VMX instruction'],
  [25, 'VMWRITE', 'other', 'Nested VMX instruction'],
  [26, 'VMOFF', 'other', 'Nested VMX instruction'],
  [27, 'VMON', 'other', 'Nested VMX instruction'],
  [28, 'CR_ACCESS', 'other', 'Control-register access (CR0/CR3/CR4/CR8)'],
  [29, 'DR_ACCESS', 'other', 'Debug-register access'],
  [30, 'IO_INSTRUCTION', 'io', 'Port I/O (IN/OUT): emulated device register, e.g. a legacy virtio kick or serial port'],
  [31, 'MSR_READ', 'other', 'RDMSR intercepted'],
  [32, 'MSR_WRITE', 'other', 'WRMSR intercepted: x2APIC ICR (IPI), TSC deadline (timer), EOI ... — see the MSR number'],
  [33, 'INVALID_STATE', 'other', 'VM entry failed: invalid guest state'],
  [34, 'MSR_LOAD_FAIL', 'other', 'VM entry failed: MSR loading'],
  [36, 'MWAIT_INSTRUCTION', 'halt', 'MWAIT intercepted (idle)'],
  [37, 'MONITOR_TRAP_FLAG', 'other', 'Monitor trap flag (single-stepping)'],
  [39, 'MONITOR_INSTRUCTION', 'other', 'MONITOR intercepted'],
  [40, 'PAUSE_INSTRUCTION', 'preemption', 'Pause-loop exiting: the vCPU spins on a lock whose holder may be preempted'],
  [41, 'MCE_DURING_VMENTRY', 'other', 'Machine check during VM entry'],
  [
    43,
    'TPR_BELOW_THRESHOLD',
    'other',
    'Guest lowered its TPR below the threshold (pending interrupt can be delivered)',
  ],
  [
    44,
    'APIC_ACCESS',
    'eoi',
    'xAPIC register access through the APIC-access page (mostly EOI writes; also TPR, ICR, timer), not a device ' +
      'kick: APICv, x2APIC or PV EOI removes it; a following kvm_apic / kvm_mmio names the register',
  ],
  [45, 'EOI_INDUCED', 'eoi', 'EOI for a level-triggered or notified vector (EOI exit bitmap)'],
  [46, 'GDTR_IDTR', 'other', 'Descriptor-table register access'],
  [47, 'LDTR_TR', 'other', 'LDTR/TR access'],
  [48, 'EPT_VIOLATION', 'page-fault', 'EPT violation: a guest-physical page not (yet) mapped or write-protected'],
  [
    49,
    'EPT_MISCONFIG',
    'mmio',
    'EPT misconfiguration: KVM uses it for fast emulated MMIO (virtio kicks, device registers)',
  ],
  [50, 'INVEPT', 'other', 'Nested VMX instruction'],
  [51, 'RDTSCP', 'other', 'RDTSCP intercepted'],
  [
    52,
    'PREEMPTION_TIMER',
    'timer',
    'VMX preemption timer expired: KVM arms it for the guest\'s own APIC timer ("hv timer"), so this is the ' +
      "guest's timer firing",
  ],
  [53, 'INVVPID', 'other', 'Nested VMX instruction'],
  [54, 'WBINVD', 'other', 'WBINVD instruction'],
  [55, 'XSETBV', 'other', 'XSETBV instruction'],
  [56, 'APIC_WRITE', 'other', 'Trap-like APIC register write with APICv (ICR, timer, ...)'],
  [57, 'RDRAND', 'other', 'RDRAND intercepted'],
  [58, 'INVPCID', 'other', 'INVPCID intercepted'],
  [59, 'VMFUNC', 'other', 'VMFUNC'],
  [60, 'ENCLS', 'other', 'SGX ENCLS'],
  [61, 'RDSEED', 'other', 'RDSEED intercepted'],
  [62, 'PML_FULL', 'other', 'Page-modification log full (dirty logging during migration)'],
  [63, 'XSAVES', 'other', 'XSAVES'],
  [64, 'XRSTORS', 'other', 'XRSTORS'],
  [66, 'SPP', 'other', 'Sub-page permission violation'],
  [67, 'UMWAIT', 'halt', 'UMWAIT'],
  [68, 'TPAUSE', 'halt', 'TPAUSE'],
  [74, 'BUS_LOCK', 'other', 'Bus lock detected'],
  [75, 'NOTIFY', 'other', 'Notify window expired'],
];

/** AMD SVM exit codes with the lower-case names Linux prints (arch/x86/include/uapi/asm/svm.h SVM_EXIT_REASONS). */
const SVM: Row[] = [
  [0x060, 'interrupt', 'external-interrupt', 'Physical interrupt while the guest ran'],
  [0x061, 'nmi', 'other', 'NMI'],
  [0x062, 'smi', 'other', 'SMI'],
  [0x063, 'init', 'other', 'INIT'],
  [0x064, 'vintr', 'other', 'Virtual interrupt window: a pending interrupt can now be injected'],
  [0x065, 'cr0_sel_write', 'other', 'CR0 selective write'],
  [0x06e, 'rdtsc', 'other', 'RDTSC intercepted'],
  [0x06f, 'rdpmc', 'other', 'RDPMC'],
  [0x070, 'pushf', 'other', 'PUSHF'],
  [0x071, 'popf', 'other', 'POPF'],
  [0x072, 'cpuid', 'other', 'CPUID'],
  [0x073, 'rsm', 'other', 'RSM'],
  [0x074, 'iret', 'other', 'IRET (NMI window)'],
  [0x075, 'swint', 'other', 'Software interrupt'],
  [0x076, 'invd', 'other', 'INVD'],
  [0x077, 'pause', 'preemption', 'Pause filter: spinning vCPU (lock holder preemption)'],
  [0x078, 'hlt', 'halt', 'The vCPU executed HLT: idle until an interrupt wakes it'],
  [0x079, 'invlpg', 'other', 'INVLPG'],
  [0x07a, 'invlpga', 'other', 'INVLPGA'],
  [0x07b, 'io', 'io', 'Port I/O (IN/OUT)'],
  [0x07c, 'msr', 'other', 'RDMSR/WRMSR intercepted — see the MSR number'],
  [0x07d, 'task_switch', 'other', 'Task switch'],
  [0x07e, 'ferr_freeze', 'other', 'FERR freeze'],
  [0x07f, 'shutdown', 'other', 'Shutdown'],
  [0x080, 'vmrun', 'other', 'Nested VMRUN'],
  [0x081, 'hypercall', 'other', 'Hypercall (VMMCALL)'],
  [0x082, 'vmload', 'other', 'Nested VMLOAD'],
  [0x083, 'vmsave', 'other', 'Nested VMSAVE'],
  [0x084, 'stgi', 'other', 'STGI'],
  [0x085, 'clgi', 'other', 'CLGI'],
  [0x086, 'skinit', 'other', 'SKINIT'],
  [0x087, 'rdtscp', 'other', 'RDTSCP'],
  [0x088, 'icebp', 'other', 'ICEBP'],
  [0x089, 'wbinvd', 'other', 'WBINVD'],
  [0x08a, 'monitor', 'other', 'MONITOR'],
  [0x08b, 'mwait', 'halt', 'MWAIT'],
  [0x08d, 'xsetbv', 'other', 'XSETBV'],
  [0x08e, 'rdpru', 'other', 'RDPRU'],
  [0x08f, 'write_efer_trap', 'other', 'EFER write trap'],
  [0x0a2, 'invpcid', 'other', 'INVPCID'],
  [0x0a6, 'idle-halt', 'halt', 'Idle HLT intercept: HLT with no pending interrupt'],
  [0x400, 'npf', 'page-fault', 'Nested page fault (also MMIO emulation)'],
  [0x401, 'avic_incomplete_ipi', 'ipi', 'AVIC could not deliver an IPI (target not running)'],
  [
    0x402,
    'avic_unaccelerated_access',
    'eoi',
    'AVIC: xAPIC register access not accelerated (EOI of a level interrupt, TPR, timer ...), not a device kick',
  ],
  [0x403, 'vmgexit', 'other', 'SEV-ES VMGEXIT'],
];

/**
 * arm64 ESR_ELx exception classes (arch/arm64/include/asm/esr.h), as `kvm_exit: TRAP: HSR_EC: 0x.. (NAME)` prints them.
 */
const ARM64_EC: Row[] = [
  [0x00, 'UNKNOWN', 'other', 'Unknown reason'],
  [0x01, 'WFx', 'halt', 'WFI/WFE: the vCPU waits for an interrupt (the arm64 HLT)'],
  [0x03, 'CP15_32', 'other', 'AArch32 CP15 access'],
  [0x04, 'CP15_64', 'other', 'AArch32 CP15 access'],
  [0x05, 'CP14_MR', 'other', 'AArch32 CP14 access'],
  [0x06, 'CP14_LS', 'other', 'AArch32 CP14 access'],
  [0x07, 'FP_ASIMD', 'other', 'FP/SIMD access trapped (lazy FP switch)'],
  [0x08, 'CP10_ID', 'other', 'CP10 ID register'],
  [0x09, 'PAC', 'other', 'Pointer authentication trap'],
  [0x0c, 'CP14_64', 'other', 'AArch32 CP14 access'],
  [0x0e, 'ILL', 'other', 'Illegal execution state'],
  [0x11, 'SVC32', 'other', 'SVC (AArch32)'],
  [0x12, 'HVC32', 'other', 'Hypercall (AArch32)'],
  [0x13, 'SMC32', 'other', 'SMC (AArch32)'],
  [0x15, 'SVC64', 'other', 'SVC'],
  [0x16, 'HVC64', 'other', 'Hypercall (HVC), e.g. PSCI'],
  [0x17, 'SMC64', 'other', 'SMC'],
  [0x18, 'SYS64', 'other', 'System register access trapped (e.g. ICC_SGI1R = IPI, timer registers)'],
  [0x19, 'SVE', 'other', 'SVE access'],
  [0x1a, 'ERET', 'other', 'ERET (nested)'],
  [0x20, 'IABT_LOW', 'page-fault', 'Stage-2 instruction abort'],
  [0x22, 'PC_ALIGN', 'other', 'PC alignment fault'],
  [
    0x24,
    'DABT_LOW',
    'mmio',
    'Stage-2 data abort: MMIO emulation (a kvm_mmio follows) or a stage-2 page fault (none follows)',
  ],
  [0x26, 'SP_ALIGN', 'other', 'SP alignment fault'],
  [0x28, 'FP_EXC32', 'other', 'FP exception'],
  [0x2c, 'FP_EXC64', 'other', 'FP exception'],
  [0x2f, 'SERROR', 'other', 'SError'],
  [0x30, 'BREAKPT_LOW', 'other', 'Breakpoint (debug)'],
  [0x32, 'SOFTSTP_LOW', 'other', 'Software step (debug)'],
  [0x34, 'WATCHPT_LOW', 'other', 'Watchpoint (debug)'],
  [0x38, 'BKPT32', 'other', 'BKPT (AArch32)'],
  [0x3c, 'BRK64', 'other', 'BRK (debug)'],
];

/** Coarse exit types some tools print instead of reasons (perf kvm stat on arm64, kvm_stat). */
const COARSE: [string, ExitCategory, string][] = [
  ['IRQ', 'external-interrupt', 'A physical interrupt forced the exit'],
  ['TRAP', 'other', 'A trapped instruction or access (see the exception class)'],
  ['Idle', 'halt', 'The vCPU idled (WFI / idle instruction)'],
  ['Interrupt', 'external-interrupt', 'A physical interrupt forced the exit'],
  ['Hypercall', 'other', 'Hypercall'],
  [
    'Mem store',
    'page-fault',
    'LoongArch guest store fault (TLB / stage-2): guest memory not yet mapped, or MMIO emulation',
  ],
  [
    'Mem read',
    'page-fault',
    'LoongArch guest load fault (TLB / stage-2): guest memory not yet mapped, or MMIO emulation',
  ],
  ['Mem modify', 'page-fault', 'LoongArch guest modify fault (write to a read-only mapping)'],
  ['Iocsr', 'io', 'LoongArch IOCSR access (I/O)'],
  ['PENDING_INTERRUPT', 'other', 'Interrupt window (older name of INTERRUPT_WINDOW)'],
];

export interface MsrInfo {
  name: string;
  category: ExitCategory | null;
  description: string;
}

/** The x2APIC interrupt command register: a write sends an IPI (its value holds the vector and destination). */
export const X2APIC_ICR_MSR = 0x830;

/** MSRs that matter for exits. Category null: an MSR whose write is not an exit worth categorising. */
const MSRS: [number, string, ExitCategory | null, string][] = [
  [0x6e0, 'IA32_TSC_DEADLINE', 'timer', 'TSC-deadline timer arm/cancel: every NOHZ idle entry/exit reprograms it'],
  [0x10, 'IA32_TSC', null, 'Time-stamp counter'],
  [0x1b, 'IA32_APIC_BASE', null, 'APIC base and x2APIC enable'],
  [0x3a, 'IA32_FEATURE_CONTROL', null, 'Feature control'],
  [0x48, 'IA32_SPEC_CTRL', null, 'Speculation control (IBRS/STIBP/SSBD)'],
  [0x49, 'IA32_PRED_CMD', null, 'Prediction command (IBPB)'],
  [0x10b, 'IA32_FLUSH_CMD', null, 'L1D flush'],
  [0xe1, 'IA32_UMWAIT_CONTROL', null, 'UMWAIT control'],
  [0x174, 'IA32_SYSENTER_CS', null, 'SYSENTER'],
  [0x1d9, 'IA32_DEBUGCTL', null, 'Debug control'],
  [0x277, 'IA32_PAT', null, 'Page attribute table'],
  [0x38f, 'IA32_PERF_GLOBAL_CTRL', null, 'PMU global control (perf in the guest)'],
  [0x802, 'x2APIC ID', null, 'x2APIC ID register'],
  [0x803, 'x2APIC VERSION', null, 'x2APIC version register'],
  [0x808, 'x2APIC TPR', null, 'Task priority register'],
  [0x80b, 'x2APIC EOI', 'eoi', 'End of interrupt: exits unless APICv/PV EOI handles it'],
  [0x80d, 'x2APIC LDR', null, 'Logical destination register'],
  [0x80f, 'x2APIC SVR', null, 'Spurious vector register'],
  [0x828, 'x2APIC ESR', null, 'Error status register'],
  [0x82f, 'x2APIC LVT CMCI', null, 'LVT CMCI'],
  [
    X2APIC_ICR_MSR,
    'x2APIC ICR',
    'ipi',
    'Interrupt command register: sends an IPI (a cross-CPU wake-up) — the message of a message-passing workload',
  ],
  [0x832, 'x2APIC LVT TIMER', 'timer', 'LVT timer mode/vector'],
  [0x833, 'x2APIC LVT THERMAL', null, 'LVT thermal'],
  [0x834, 'x2APIC LVT PMI', null, 'LVT performance-monitoring interrupt'],
  [0x835, 'x2APIC LVT LINT0', null, 'LVT LINT0'],
  [0x836, 'x2APIC LVT LINT1', null, 'LVT LINT1'],
  [0x837, 'x2APIC LVT ERROR', null, 'LVT error'],
  [0x838, 'x2APIC TMICT', 'timer', 'APIC timer initial count: arms the one-shot APIC timer'],
  [0x839, 'x2APIC TMCCT', 'timer', 'APIC timer current count'],
  [0x83e, 'x2APIC TDCR', 'timer', 'APIC timer divide configuration'],
  [0x83f, 'x2APIC SELF IPI', 'ipi', 'Self IPI'],
  [0x11, 'MSR_KVM_WALL_CLOCK', null, 'KVM PV wall clock (old)'],
  [0x12, 'MSR_KVM_SYSTEM_TIME', null, 'KVM PV system time (old)'],
  [0x4b564d00, 'MSR_KVM_WALL_CLOCK_NEW', null, 'KVM PV wall clock'],
  [0x4b564d01, 'MSR_KVM_SYSTEM_TIME_NEW', null, 'KVM PV system time (kvmclock)'],
  [0x4b564d02, 'MSR_KVM_ASYNC_PF_EN', null, 'KVM async page fault enable'],
  [0x4b564d03, 'MSR_KVM_STEAL_TIME', null, 'KVM steal time'],
  [0x4b564d04, 'MSR_KVM_PV_EOI_EN', 'eoi', 'KVM PV EOI enable (lets the guest skip EOI exits)'],
  [
    0x4b564d05,
    'MSR_KVM_POLL_CONTROL',
    null,
    'KVM poll control: the guest asks the host to stop/start host-side halt polling',
  ],
  [0x4b564d06, 'MSR_KVM_ASYNC_PF_INT', null, 'KVM async page fault interrupt vector'],
  [0x4b564d07, 'MSR_KVM_ASYNC_PF_ACK', null, 'KVM async page fault acknowledge'],
  [0x4b564d08, 'MSR_KVM_MIGRATION_CONTROL', null, 'KVM migration control'],
  [0x40000000, 'HV_X64_MSR_GUEST_OS_ID', null, 'Hyper-V guest OS id'],
  [0x40000001, 'HV_X64_MSR_HYPERCALL', null, 'Hyper-V hypercall page'],
  [0x40000070, 'HV_X64_MSR_EOI', 'eoi', 'Hyper-V synthetic EOI'],
  [0x40000071, 'HV_X64_MSR_ICR', 'ipi', 'Hyper-V synthetic ICR: IPI send'],
  [0x40000072, 'HV_X64_MSR_TPR', null, 'Hyper-V synthetic TPR'],
  [0x400000b0, 'HV_X64_MSR_STIMER0_CONFIG', 'timer', 'Hyper-V synthetic timer 0 config'],
  [0x400000b1, 'HV_X64_MSR_STIMER0_COUNT', 'timer', 'Hyper-V synthetic timer 0 count'],
  [0xc0000080, 'IA32_EFER', null, 'Extended feature enable'],
  [0xc0000081, 'IA32_STAR', null, 'SYSCALL target'],
  [0xc0000082, 'IA32_LSTAR', null, 'SYSCALL target (64-bit)'],
  [0xc0000084, 'IA32_FMASK', null, 'SYSCALL flag mask'],
  [0xc0000100, 'IA32_FS_BASE', null, 'FS base'],
  [0xc0000101, 'IA32_GS_BASE', null, 'GS base'],
  [0xc0000102, 'IA32_KERNEL_GS_BASE', null, 'Kernel GS base (SWAPGS)'],
  [0xc0000103, 'IA32_TSC_AUX', null, 'TSC_AUX (RDTSCP/RDPID)'],
];

/** xAPIC registers by MMIO offset from 0xfee00000 (perf kvm stat --event=mmio rows like 0xfee00380:W). */
const XAPIC_MMIO: [number, string, ExitCategory | null, string][] = [
  [0x0b0, 'xAPIC EOI', 'eoi', 'End of interrupt (xAPIC MMIO)'],
  [0x300, 'xAPIC ICR low', 'ipi', 'Interrupt command register low: writing it sends the IPI'],
  [0x310, 'xAPIC ICR high', 'ipi', 'Interrupt command register high: IPI destination'],
  [0x320, 'xAPIC LVT timer', 'timer', 'LVT timer'],
  [0x380, 'xAPIC TMICT', 'timer', 'APIC timer initial count: arms the one-shot timer'],
  [0x390, 'xAPIC TMCCT', 'timer', 'APIC timer current count'],
  [0x3e0, 'xAPIC TDCR', 'timer', 'APIC timer divide configuration'],
  [0x080, 'xAPIC TPR', null, 'Task priority register'],
];
export const XAPIC_BASE = 0xfee00000;

/** APIC registers by the names KVM's kvm_apic event prints ("APIC_EOI", "APIC_ICR", "APIC_TMICT"). */
const APIC_REGISTERS: Record<string, number> = {
  APIC_EOI: 0x0b0,
  APIC_ICR: 0x300,
  APIC_ICR2: 0x310,
  APIC_LVTT: 0x320,
  APIC_TMICT: 0x380,
  APIC_TMCCT: 0x390,
  APIC_TDCR: 0x3e0,
  APIC_TASKPRI: 0x080,
};

const byName = new Map<string, ExitInfo>();
const vmxByCode = new Map<number, ExitInfo>();
const svmByCode = new Map<number, ExitInfo>();
const armByCode = new Map<number, ExitInfo>();
for (const [code, name, category, description] of VMX) {
  const info = { name, category, description };
  vmxByCode.set(code, info);
  byName.set(name, info);
}
for (const [code, name, category, description] of SVM) {
  const info = { name, category, description };
  svmByCode.set(code, info);
  byName.set(name, info);
}
for (let v = 0; v < 32; v++) {
  // SVM exception intercepts 0x40 + vector ("PF excp" etc.): #PF matters (shadow paging), the rest are "other".
  const names = [
    'DE',
    'DB',
    'NMI',
    'BP',
    'OF',
    'BR',
    'UD',
    'NM',
    'DF',
    'CSO',
    'TS',
    'NP',
    'SS',
    'GP',
    'PF',
    'SPV',
    'MF',
    'AC',
    'MC',
    'XM',
  ];
  const n = names[v];
  if (!n) continue;
  const info: ExitInfo = {
    name: `${n} excp`,
    category: n === 'PF' ? 'page-fault' : 'other',
    description: `#${n} exception intercepted`,
  };
  svmByCode.set(0x40 + v, info);
  byName.set(info.name, info);
}
for (const [code, name, category, description] of ARM64_EC) {
  const info = { name, category, description };
  armByCode.set(code, info);
  byName.set(name, info);
}
for (const [name, category, description] of COARSE) byName.set(name, { name, category, description });
// Aliases printed by older kernels / other tools.
byName.set('ioio', byName.get('io')!);
byName.set('vmmcall', byName.get('hypercall')!);

/** 2.6/3.x kernels printed VMX reasons in lower case (vmx.c vmx_exit_reasons_str): name → modern name. */
const VMX_2_6_NAMES: [string, string][] = [
  ['exception', 'EXCEPTION_NMI'],
  ['ext_irq', 'EXTERNAL_INTERRUPT'],
  ['triple_fault', 'TRIPLE_FAULT'],
  ['nmi_window', 'NMI_WINDOW'],
  ['io_instruction', 'IO_INSTRUCTION'],
  ['cr_access', 'CR_ACCESS'],
  ['dr_access', 'DR_ACCESS'],
  ['rdmsr', 'MSR_READ'],
  ['wrmsr', 'MSR_WRITE'],
  ['interrupt_window', 'INTERRUPT_WINDOW'],
  ['halt', 'HLT'],
  ['vmcall', 'VMCALL'],
  ['tpr_below_thres', 'TPR_BELOW_THRESHOLD'],
  ['apic_access', 'APIC_ACCESS'],
  ['ept_violation', 'EPT_VIOLATION'],
  ['ept_misconfig', 'EPT_MISCONFIG'],
  ['pause_instruction', 'PAUSE_INSTRUCTION'],
  ['mwait_instruction', 'MWAIT_INSTRUCTION'],
  ['monitor_instruction', 'MONITOR_INSTRUCTION'],
  ['mce_during_vmentry', 'MCE_DURING_VMENTRY'],
  ['invalid_state', 'INVALID_STATE'],
];
for (const [old, modern] of VMX_2_6_NAMES) if (!byName.has(old)) byName.set(old, vmxByName(modern));
// 2.6 also printed "hypercall", "invlpg", "wbinvd", "task_switch" and "cpuid": SVM rows of those names exist with the
// same categories.

function vmxByName(name: string): ExitInfo {
  return byName.get(name)!;
}

/**
 * `trace-cmd report`'s kvm plugin names SVM exits "EXIT_NPF", "EXIT_IOIO", "EXIT_EXCP_GP", "EXIT_READ_CR0" ...
 * (its own SVM_EXIT_REASONS table); map them onto the kernel's names.
 */
const SVM_PLUGIN_SPECIAL: Record<string, string> = {
  EXIT_INTR: 'interrupt',
  EXIT_IOIO: 'io',
  EXIT_VMMCALL: 'hypercall',
  EXIT_MWAIT_COND: 'mwait',
  EXIT_IDLE_HLT: 'idle-halt',
};
function other(name: string, description: string): ExitInfo {
  return { name, category: 'other', description };
}

function svmPluginName(name: string): ExitInfo | undefined {
  if (!name.startsWith('EXIT_')) return undefined;
  const special = SVM_PLUGIN_SPECIAL[name];
  if (special) return byName.get(special);
  const rest = name.slice(5);
  const excp = /^EXCP_(\w+)$/.exec(rest);
  if (excp) return byName.get(`${excp[1]} excp`) ?? other(name, `#${excp[1]} exception intercepted`);
  if (/^(?:READ|WRITE)_(?:CR|DR)\d+$/.test(rest)) return other(name, 'Control/debug-register access');
  if (/^(?:IDTR|GDTR|LDTR|TR)_(?:READ|WRITE)$/.test(rest)) return other(name, 'Descriptor-table access');
  return byName.get(rest.toLowerCase());
}

/** s390 SIE intercept codes (arch/s390/include/uapi/asm/sie.h sie_intercept_code), as kvm_s390_sie_exit prints them. */
const S390_ICPT: [number, string, ExitCategory, string][] = [
  [0x00, 'Host interruption', 'external-interrupt', 'A host interrupt ended SIE'],
  [0x04, 'Instruction', 'other', 'Intercepted instruction (DIAG, SIGP, I/O ...: see kvm_s390_intercept_instruction)'],
  [0x08, 'Program interruption', 'page-fault', 'Program interruption intercepted (guest page faults among them)'],
  [0x0c, 'Instruction and program interruption', 'other', 'Instruction and program interruption'],
  [
    0x10,
    'External request',
    'ipi',
    'External request: an interrupt for the guest is pending (e.g. a SIGP emergency signal)',
  ],
  [
    0x14,
    'External interruption',
    'external-interrupt',
    'External interruption (clock comparator, CPU timer, emergency signal)',
  ],
  [0x18, 'I/O request', 'io', 'I/O request'],
  [0x1c, 'Wait state', 'halt', 'The guest loaded an enabled wait PSW: the s390 idle (the HLT of s390)'],
  [0x20, 'Validity', 'other', 'SIE validity intercept'],
  [0x28, 'Stop request', 'other', 'Stop request'],
  [0x2c, 'Operation exception', 'other', 'Operation exception'],
  [0x38, 'Partial-execution', 'other', 'Partial execution'],
  [0x3c, 'I/O interruption', 'io', 'I/O interruption'],
  [0x40, 'I/O instruction', 'io', 'I/O instruction intercepted'],
  [0x48, 'Timing subset', 'other', 'Timing subset'],
];
const s390ByCode = new Map<number, ExitInfo>();
for (const [code, name, category, description] of S390_ICPT) {
  const info = { name, category, description };
  s390ByCode.set(code, info);
  byName.set(name, info);
}

/** LoongArch kvm_exit* reasons (arch/loongarch/kvm/trace.h kvm_trace_symbol_exit_types, perf kvm stat names). */
const LOONGARCH: [string, ExitCategory, string][] = [
  ['IDLE', 'halt', 'LoongArch IDLE instruction: the vCPU waits for an interrupt (its HLT)'],
  ['CACHE', 'other', 'LoongArch CACOP cache operation trapped'],
  ['CPUCFG', 'other', 'LoongArch CPUCFG (CPU feature query)'],
  ['CSR', 'other', 'LoongArch CSR access trapped'],
  ['IOCSR', 'io', 'LoongArch IOCSR access (IPI, interrupt controller, I/O)'],
  ['GSPR', 'other', 'Guest sensitive privileged resource (CPUCFG, CSR, IOCSR, CACOP, IDLE) trapped'],
  ['Int', 'external-interrupt', 'A physical interrupt forced the exit'],
  // perf kvm stat's LoongArch names of its eras (tools/perf/arch/loongarch/util/kvm-stat.c), matched in any case.
  ['Memory read', 'page-fault', 'LoongArch guest load fault (stage-2): memory not yet mapped, or MMIO emulation'],
  ['Memory store', 'page-fault', 'LoongArch guest store fault (stage-2): memory not yet mapped, or MMIO emulation'],
  ['Memory modify', 'page-fault', 'LoongArch guest modify fault (write to a read-only mapping)'],
  ['Inst Fetch', 'page-fault', 'LoongArch guest instruction fetch fault (stage-2)'],
  ['Ifecth', 'page-fault', 'LoongArch guest instruction fetch fault (stage-2), as early perf spelled it'],
  ['Memory NR', 'page-fault', 'LoongArch page not readable'],
  ['Memory NX', 'page-fault', 'LoongArch page not executable'],
  ['Memory Privilege', 'page-fault', 'LoongArch page privilege fault'],
  ['FPU', 'other', 'LoongArch FPU disabled: lazy FPU switch'],
  ['FP Disabled', 'other', 'LoongArch FPU disabled: lazy FPU switch'],
  ['LSX', 'other', 'LoongArch LSX (128-bit SIMD) disabled: lazy switch'],
  ['LSX Disabled', 'other', 'LoongArch LSX (128-bit SIMD) disabled: lazy switch'],
  ['LASX', 'other', 'LoongArch LASX (256-bit SIMD) disabled: lazy switch'],
  ['LASX Disabled', 'other', 'LoongArch LASX (256-bit SIMD) disabled: lazy switch'],
  ['Privilege Error', 'other', 'LoongArch GSPR: a privileged resource (CPUCFG, CSR, IOCSR, CACOP, IDLE) trapped'],
  ['CSR modified', 'other', 'LoongArch GCM: guest CSR modified'],
  ['Others', 'other', 'LoongArch: other exits'],
  ['Cpucfg', 'other', 'LoongArch CPUCFG (CPU feature query)'],
  ['Csr', 'other', 'LoongArch CSR access trapped'],
];
for (const [name, category, description] of LOONGARCH) {
  if (!byName.has(name)) byName.set(name, { name, category, description });
}

/** RISC-V scause names (arch/riscv/kvm/trace.h kvm_riscv_trap_class; EXC_/IRQ_ prefixes as asm/csr.h names them). */
const RISCV: [string, ExitCategory, string][] = [
  ['S_SOFT', 'ipi', 'Supervisor software interrupt: an IPI'],
  ['S_TIMER', 'timer', 'Supervisor timer interrupt'],
  ['S_EXT', 'external-interrupt', 'Supervisor external interrupt'],
  ['S_GEXT', 'external-interrupt', 'Guest external interrupt'],
  ['VS_SOFT', 'ipi', 'Virtual supervisor software interrupt (an IPI to the guest)'],
  ['VS_TIMER', 'timer', 'Virtual supervisor timer interrupt'],
  ['VS_EXT', 'external-interrupt', 'Virtual supervisor external interrupt'],
  ['PMU_OVF', 'other', 'PMU overflow interrupt'],
  ['INST_ILLEGAL', 'other', 'Illegal instruction trapped'],
  ['INST_ACCESS', 'other', 'Instruction access fault'],
  ['LOAD_ACCESS', 'other', 'Load access fault'],
  ['STORE_ACCESS', 'other', 'Store access fault'],
  ['LOAD_MISALIGNED', 'other', 'Misaligned load emulated'],
  ['STORE_MISALIGNED', 'other', 'Misaligned store emulated'],
  ['BREAKPOINT', 'other', 'Breakpoint'],
  ['SUPERVISOR_SYSCALL', 'other', 'SBI call (ecall from VS-mode): timer, IPI, console ... — see the SBI extension'],
  ['VIRTUAL_INST_FAULT', 'other', 'Virtual instruction fault (e.g. WFI when trapped: see kvm_riscv wfi)'],
  ['INST_GUEST_PAGE_FAULT', 'page-fault', 'Guest instruction page fault (G-stage)'],
  ['LOAD_GUEST_PAGE_FAULT', 'page-fault', 'Guest load page fault (G-stage): memory, or MMIO when kvm_mmio follows'],
  ['STORE_GUEST_PAGE_FAULT', 'page-fault', 'Guest store page fault (G-stage): memory, or MMIO when kvm_mmio follows'],
];
for (const [name, category, description] of RISCV) {
  if (!byName.has(name)) byName.set(name, { name, category, description });
}

const msrByNumber = new Map<number, MsrInfo>(
  MSRS.map(([n, name, category, description]) => [n, { name, category, description }]),
);
const xapicByOffset = new Map<number, MsrInfo>(
  XAPIC_MMIO.map(([n, name, category, description]) => [n, { name, category, description }]),
);

export const UNKNOWN_CATEGORY: ExitCategory = 'other';

/** Looks up an exit reason by the name a tool prints ("HLT", "hlt", "MSR_WRITE", "DABT_LOW", "Mem store"). */
export function exitByName(name: string): ExitInfo | undefined {
  const trimmed = name.trim();
  return byName.get(trimmed) ?? svmPluginName(trimmed) ?? riscvName(trimmed) ?? multiWordName(trimmed);
}

/** Names with a blank ("Mem Read", "Mem read", "Memory read") in any case; one-word names stay case-sensitive. */
let byMultiWordName: Map<string, ExitInfo> | null = null;
function multiWordName(name: string): ExitInfo | undefined {
  if (!name.includes(' ')) return undefined;
  if (!byMultiWordName) {
    byMultiWordName = new Map();
    for (const [n, info] of byName) {
      const key = n.toLowerCase();
      if (n.includes(' ') && !byMultiWordName.has(key)) byMultiWordName.set(key, info);
    }
  }
  return byMultiWordName.get(name.toLowerCase());
}

/** RISC-V names as tools print them with their asm/csr.h prefix ("EXC_LOAD_GUEST_PAGE_FAULT", "IRQ_S_TIMER"). */
function riscvName(name: string): ExitInfo | undefined {
  const m = /^(?:EXC|IRQ)_(\w+)$/.exec(name);
  return m ? byName.get(m[1]) : undefined;
}

/** s390 SIE intercept code (kvm_s390_sie_exit "icptcode"). */
export function s390Intercept(code: number): ExitInfo | undefined {
  return s390ByCode.get(code);
}

export function vmxExit(code: number): ExitInfo | undefined {
  return vmxByCode.get(code & 0xffff);
}
export function svmExit(code: number): ExitInfo | undefined {
  return svmByCode.get(code);
}
export function arm64ExceptionClass(ec: number): ExitInfo | undefined {
  return armByCode.get(ec);
}

/** An exit named by a tool, unknown ones kept as such ("unknown exit reason X", category other). */
export function describeExit(name: string): ExitInfo {
  return (
    exitByName(name) ?? {
      name,
      category: UNKNOWN_CATEGORY,
      description: `Exit reason "${name}" is not in KVM Trace Lens's table`,
    }
  );
}

export function msrInfo(msr: number): MsrInfo | undefined {
  const known = msrByNumber.get(msr);
  if (known) return known;
  if (msr >= 0x800 && msr <= 0x8ff)
    return { name: `x2APIC register 0x${(msr - 0x800).toString(16)}0`, category: null, description: 'x2APIC register' };
  return undefined;
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Category of an exit caused by writing this MSR; null for MSRs that say nothing about the workload. */
export function msrCategory(msr: number): ExitCategory | null {
  return msrInfo(msr)?.category ?? null;
}

export function xapicRegister(address: number): MsrInfo | undefined {
  if (address < XAPIC_BASE || address >= XAPIC_BASE + 0x1000) return undefined;
  return xapicByOffset.get(address - XAPIC_BASE);
}

/**
 * What a kvm_mmio after an exit says the exit was: an xAPIC register (APIC_ACCESS), or MMIO emulation of a data
 * abort / EPT violation / guest page fault. Null when the exit is already counted as MMIO (nothing to tell apart).
 */
export function mmioRefinement(reason: string, exitCategory: ExitCategory | null, gpa: number): ExitInfo | null {
  if (exitCategory === null) return null;
  if (AMBIGUOUS_ABORTS.has(reason))
    return { name: 'MMIO', category: 'mmio', description: 'Emulated MMIO (kvm_mmio followed)' };
  if (exitCategory === 'mmio') return null;
  const apic = xapicRegister(gpa);
  if (apic?.category) {
    return { name: apic.name, category: apic.category, description: `${apic.name}: ${apic.description}` };
  }
  if (exitCategory !== 'page-fault') return null;
  return {
    name: 'MMIO',
    category: 'mmio',
    description: 'Emulated MMIO (a kvm_mmio followed the fault): a device register',
  };
}

/** Aborts that are MMIO or a memory fault: only a following kvm_mmio tells which. */
const AMBIGUOUS_ABORTS = new Set(['DABT_LOW']);

/** An ambiguous abort no kvm_mmio followed, in a trace that records kvm_mmio: a stage-2 (memory) fault. */
export function abortWithoutMmio(reason: string): ExitInfo | null {
  if (!AMBIGUOUS_ABORTS.has(reason)) return null;
  const description =
    'Stage-2 page fault: guest memory not yet mapped (no kvm_mmio followed; the trace records kvm_mmio)';
  return { name: 'stage-2 fault', category: 'page-fault', description };
}

export function apicRegister(name: string): MsrInfo | undefined {
  const offset = APIC_REGISTERS[name];
  return offset === undefined ? undefined : xapicByOffset.get(offset);
}

/** Categorises a perf kvm stat ioport/mmio/msr row name ("0xfee00380:W", "0x3f8:POUT", "0x830:W"). */
export function categoriseAccessRow(table: string, row: string): ExitCategory {
  const m = /^(0x[0-9a-f]+)(?::(\w+))?/i.exec(row.trim());
  if (!m) return describeExit(row).category;
  const addr = Number.parseInt(m[1], 16);
  if (table === 'mmio') return xapicRegister(addr)?.category ?? 'mmio';
  if (table === 'ioport') return 'io';
  if (table === 'msr') return msrCategory(addr) ?? 'other';
  return 'other';
}

/** The cpu_idle state value the kernel prints for "leaving idle" (PWR_EVENT_EXIT = (u32)-1). */
export const CPU_IDLE_EXIT = 4294967295;
