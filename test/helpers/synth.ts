// Hand-made traces with known answers, written as trace-cmd report text.

const pad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

export class TraceWriter {
  readonly lines: string[] = ['cpus=4'];
  event(comm: string, pid: number, cpu: number, timeUs: number, name: string, payload: string): this {
    // trace-cmd report -t: nanosecond timestamps.
    const ns = Math.round(timeUs * 1000);
    const secs = Math.floor(ns / 1e9);
    const frac = String(ns % 1e9).padStart(9, '0');
    this.lines.push(
      `${pad(`${comm}-${pid}`, 22)} [${String(cpu).padStart(3, '0')}] ${secs}.${frac}: ${`${name}:`.padEnd(21)} ` +
        `${payload}`,
    );
    return this;
  }
  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/**
 * The loopback TCP_RR transaction of Matlack, KVM Forum 2015, on a NOHZ guest, seen from inside the guest: client CPU 0
 * and server CPU 1 each send an IPI (x2APIC ICR write), re-arm and cancel the TSC-deadline timer around idle (2 writes
 * entering idle, 2 leaving it) and halt. Per transaction: 2 ICR + 8 timer + 2 HLT = 12 exits; on the critical path the
 * 2 ICR writes, the 4 timer writes at idle exit and the 2 halts (woken by the IPI): 8; off it the 4 timer writes at
 * idle entry.
 */
export function matlackTrace(
  transactions: number,
  halfTripUs = 25,
  pair = { clientPid: 100, serverPid: 200, clientCpu: 0, serverCpu: 1 },
): string {
  const w = new TraceWriter();
  let t = 1_000_000;
  const client = { comm: 'netperf', pid: pair.clientPid, cpu: pair.clientCpu };
  const server = { comm: 'netserver', pid: pair.serverPid, cpu: pair.serverCpu };
  // Server starts idle and halted.
  w.event(
    'netserver',
    server.pid,
    server.cpu,
    t,
    'sched_switch',
    `netserver:${server.pid} [120] S ==> swapper/${server.cpu}:0 [120]`,
  );
  w.event('<idle>', 0, server.cpu, t + 1, 'write_msr', '6e0, value 100');
  w.event('<idle>', 0, server.cpu, t + 1, 'write_msr', '6e0, value 0');
  w.event('<idle>', 0, server.cpu, t + 2, 'cpu_idle', `state=1 cpu_id=${server.cpu}`);
  t += 10;
  const handOff = (from: typeof client, to: typeof client) => {
    // `from` is running: it sends the IPI, then goes idle (tick stop: 2 timer writes), halts.
    w.event(
      from.comm,
      from.pid,
      from.cpu,
      t,
      'ipi_send_cpu',
      `cpu=${to.cpu} callsite=ttwu_queue_wakelist+0x11d callback=generic_smp_call_function_single_interrupt+0x0`,
    );
    w.event(from.comm, from.pid, from.cpu, t + 5, 'write_msr', `830, value ${to.cpu.toString(16)}000000fb`);
    w.event(
      from.comm,
      from.pid,
      from.cpu,
      t + 6,
      'sched_switch',
      `${from.comm}:${from.pid} [120] S ==> swapper/${from.cpu}:0 [120]`,
    );
    w.event('<idle>', 0, from.cpu, t + 7, 'write_msr', '6e0, value 200');
    w.event('<idle>', 0, from.cpu, t + 7, 'write_msr', '6e0, value 0');
    w.event('<idle>', 0, from.cpu, t + 8, 'cpu_idle', `state=1 cpu_id=${from.cpu}`);
    // `to` wakes: IPI handler, wake-up, idle exit, tick restart (2 timer writes), switch in.
    w.event('<idle>', 0, to.cpu, t + 11, 'call_function_single_entry', 'vector=251');
    w.event(
      '<idle>',
      0,
      to.cpu,
      t + 12,
      'sched_wakeup',
      `${to.comm}:${to.pid} [120] CPU:${String(to.cpu).padStart(3, '0')}`,
    );
    w.event('<idle>', 0, to.cpu, t + 12, 'cpu_idle', `state=4294967295 cpu_id=${to.cpu}`);
    w.event('<idle>', 0, to.cpu, t + 14, 'write_msr', '6e0, value 300');
    w.event('<idle>', 0, to.cpu, t + 16, 'write_msr', '6e0, value 400');
    w.event('<idle>', 0, to.cpu, t + 17, 'sched_switch', `swapper/${to.cpu}:0 [120] R ==> ${to.comm}:${to.pid} [120]`);
    t += halfTripUs;
  };
  for (let i = 0; i < transactions; i++) {
    handOff(client, server);
    handOff(server, client);
  }
  return w.text();
}

/**
 * The same transaction seen from the host (Matlack, KVM Forum 2015): vCPU threads "CPU n/KVM" with kvm_exit/kvm_entry,
 * kvm_msr, kvm_apic_ipi and kvm_vcpu_wakeup. The IPI reaches a halted vCPU, which runs again 6.9 µs later (kvm_entry).
 */
export function matlackHostTrace(transactions: number, halfTripUs = 25): string {
  const w = new TraceWriter();
  let t = 2_000_000;
  const vcpu = (n: number) => ({ comm: `CPU ${n}/KVM`, pid: 1000 + n, cpu: 2 + n, n });
  const exit = (v: ReturnType<typeof vcpu>, at: number, reason: string) =>
    w.event(
      v.comm,
      v.pid,
      v.cpu,
      at,
      'kvm_exit',
      `vcpu ${v.n} reason ${reason} rip 0xffffffff81000000 info1 0x0 info2 0x0 intr_info 0x0 error_code 0x0`,
    );
  const entry = (v: ReturnType<typeof vcpu>, at: number) =>
    w.event(v.comm, v.pid, v.cpu, at, 'kvm_entry', `vcpu ${v.n}, rip 0xffffffff81000000`);
  const timerWrite = (v: ReturnType<typeof vcpu>, at: number) => {
    exit(v, at, 'MSR_WRITE');
    w.event(v.comm, v.pid, v.cpu, at + 0.3, 'kvm_msr', 'msr_write 6e0 = 0x1234');
    entry(v, at + 1);
  };
  const [a0, a1] = [vcpu(0), vcpu(1)];
  exit(a1, t, 'HLT'); // vCPU 1 starts halted
  t += 10;
  const handOff = (from: typeof a0, to: typeof a0) => {
    exit(from, t, 'MSR_WRITE');
    w.event(from.comm, from.pid, from.cpu, t + 0.5, 'kvm_msr', `msr_write 830 = 0x${to.n}000000fb`);
    w.event(
      from.comm,
      from.pid,
      from.cpu,
      t + 0.6,
      'kvm_apic_ipi',
      `dst ${to.n} vec 251 (Fixed|physical|assert|edge|dst)`,
    );
    entry(from, t + 1.5);
    timerWrite(from, t + 3);
    timerWrite(from, t + 4.5);
    exit(from, t + 6, 'HLT');
    w.event(to.comm, to.pid, to.cpu, t + 7, 'kvm_vcpu_wakeup', 'wait time 20000 ns, polling valid');
    entry(to, t + 7.5);
    timerWrite(to, t + 9);
    timerWrite(to, t + 11);
    t += halfTripUs;
  };
  for (let i = 0; i < transactions; i++) {
    handOff(a0, a1);
    handOff(a1, a0);
  }
  return w.text();
}

/** Several traces merged into one, ordered by timestamp (as trace-cmd report orders them). */
export function mergeTraces(...texts: string[]): string {
  const time = (l: string) => Number(/\] (\d+\.\d+):/.exec(l)?.[1] ?? 0);
  const events = texts.flatMap((t) => t.split('\n').filter((l) => l.includes(']')));
  events.sort((a, b) => time(a) - time(b));
  return `cpus=4\n${events.join('\n')}\n`;
}
