// Synthetic trace.dat files (test/fixtures/tracedat/make-fixtures.mts) with real kvm/msr/sched/irq/ipi formats:
// little/big endian, 4 KiB / 8 KiB pages, 4- and 8-byte commit words, time extends, absolute timestamps, padding
// and lost-event flags. Expected text: `trace-cmd report -t` (3.1.6) run on each file, saved beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES } from '../../helpers/paths';
import { assertMatchesReport, collect } from '../../helpers/reportLines';

const DIR = join(FIXTURES, 'tracedat');

for (const name of ['kvm-le-4k', 'kvm-be-8k', 'kvm-le-commit4']) {
  test(`synthetic ${name}.dat matches trace-cmd report -t`, async () => {
    const got = await collect(join(DIR, `${name}.dat`));
    assert.deepEqual(got.failures, []);
    // 1040 event lines in each saved report (grep -c of the event line pattern)
    assert.equal(await assertMatchesReport(got, join(DIR, `${name}.report-t.txt`), 9), 1040);
  });
}

test('kvm payloads as trace-cmd prints them (kvm plugin: kvm_exit / kvm_entry, print fmt: the rest)', async () => {
  const got = await collect(join(DIR, 'kvm-be-8k.dat'));
  const payloads = (name: string) => got.events.filter((e) => e.name === name).map((e) => e.payload);
  // lines checked by eye against the saved report
  assert.ok(payloads('kvm_exit').includes('reason HLT rip 0xffffffff81234567 info 0 0'));
  assert.ok(payloads('kvm_exit').includes('reason EXIT_NPF rip 0x7fff1234 info 100000004 fee00000'));
  assert.ok(payloads('kvm_exit').includes('reason UNKNOWN (2147483681) rip 0x1000 info 0 0'));
  assert.ok(payloads('kvm_exit').includes('reason UNKNOWN-ISA rip 0x10 info 0 0'));
  assert.ok(payloads('kvm_userspace_exit').includes('reason KVM_EXIT_IO (2)'));
  // errno -4 is read unsigned, so `REC->errno < 0` is false in libtraceevent: reason 0 is printed, not "restart"
  assert.ok(payloads('kvm_userspace_exit').includes('reason KVM_EXIT_UNKNOWN (0)'));
  assert.ok(payloads('kvm_pio').some((p) => p.endsWith('(...)')));
  assert.ok(
    payloads('kvm_pio').some((p) => p.endsWith(' ')),
    'kvm_pio keeps its trailing blank',
  );
  // libtraceevent reads a big-endian cpumask byte-reversed: the report shows 56-59 for bytes 0f 00 … 00
  assert.ok(
    payloads('ipi_send_cpumask').includes(
      'cpumask=56-59 callsite=ttwu_queue_wakelist+0x11d callback=generic_smp_call_function_single_interrupt+0x0',
    ),
  );
  const exit = got.events.find((e) => e.name === 'kvm_exit')!;
  assert.equal(exit.system, 'kvm');
  assert.equal(got.events.find((e) => e.pid === 4321)?.comm, '<...>');
  assert.equal(got.events.find((e) => e.pid === 0)?.comm, '<idle>');
});

test('a drop that trace-cmd hides (page starting with a timestamp record) is still warned about', async () => {
  const got = await collect(join(DIR, 'kvm-le-4k.dat'));
  assert.ok(got.warnings.some((w) => w.startsWith('CPU:1 [EVENTS DROPPED] (the ring buffer flagged')));
});
