import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildHoverMarkdown, eventNameOf, findReason } from '../../src/presentation/hoverText';
import { languageForFormat } from '../../src/extension/languages';
import { detectTextFormat } from '../../src/core/index';
import { sample } from '../helpers/paths';
import { fixtureAnalysis } from '../helpers/fixtureAnalysis';

const guestLines = () => readFileSync(sample('guest-trace', 'tcprr-cross-poll0.head.report.txt'), 'utf8').split('\n');

test('event names from trace-cmd, perf script and timestamp-only lines', () => {
  const lines = guestLines();
  assert.equal(eventNameOf(lines[2]), 'write_msr'); // "bash-21134 [001] 10729.493988: write_msr: 830, value fb"
  assert.equal(eventNameOf(lines[0]), null); // "cpus=2"
  const perf = readFileSync(
    sample('public', 'shared-set', 'perf-script-irq-injection-dragonball-pic.txt'),
    'utf8',
  ).split('\n');
  assert.equal(eventNameOf(perf[1]), 'kvm_apic_accept_irq');
  assert.equal(eventNameOf(' 220.696239: kvm_exit: vcpu 0 reason vintr rip 0x4004ae'), 'kvm_exit');
  assert.equal(eventNameOf('x'.repeat(100_000)), null);
});

test('per-event counts over the guest sample match awk (write_msr 60, cpu_idle 57, sched_switch 86)', () => {
  const counts = new Map<string, number>();
  for (const l of guestLines()) {
    const e = eventNameOf(l);
    if (e) counts.set(e, (counts.get(e) ?? 0) + 1);
  }
  assert.equal(counts.get('write_msr'), 60);
  assert.equal(counts.get('cpu_idle'), 57);
  assert.equal(counts.get('sched_switch'), 86);
});

test('the guest sample is detected as a trace and gets the kvm-trace language', () => {
  const head = guestLines()
    .filter((l) => l.trim() !== '')
    .slice(0, 200);
  assert.equal(languageForFormat(detectTextFormat(head)), 'kvm-trace');
  assert.equal(languageForFormat('iperf3-json'), null);
  assert.equal(languageForFormat('kvm-stat'), 'perf-kvm-stat');
});

test('hover text: facts, counts and the matching reason; trace text cannot inject markdown', () => {
  const a = fixtureAnalysis('analysis-tcprr.json');
  const md = buildHoverMarkdown({
    explanation: {
      event: 'write_msr',
      title: '0x830 x2APIC ICR write: IPI send [click](http://x)',
      category: 'ipi',
      isExit: true,
      description: 'Sends an IPI; in a guest it costs a VM exit.',
      key: 'msr_write 0x830',
      tokenStart: 0,
      tokenEnd: 3,
    },
    event: null,
    fact: { critical: true, durationNs: 2100, transaction: 4 },
    likeCount: 55,
    reason: findReason(a, 'MSR_WRITE 0x830'),
    status: null,
  })!;
  assert.match(md, /\*\*0x830 x2APIC ICR write: IPI send \\\[click\\\]\\\(http:\/\/x\\\)\*\* — VM exit/);
  assert.match(md, /- on the critical path of transaction 5/);
  assert.match(md, /- took 2\.1\u00a0µs/);
  assert.match(md, /- 55 like it in this file/);
  assert.match(
    md,
    /4,000 exits of reason `msr_write 0x830` \(40\u00a0% of all\), 75\u00a0% on the critical path, mean 2\.1\u00a0µs/,
  );
  assert.equal(
    buildHoverMarkdown({ explanation: null, event: null, fact: null, likeCount: null, reason: null, status: null }),
    null,
  );
  const plain = buildHoverMarkdown({
    explanation: null,
    event: 'cpu_idle',
    fact: null,
    likeCount: 57,
    reason: null,
    status: 'Analysing…',
  })!;
  assert.equal(plain, '**cpu\\_idle** event\n\n- 57 like it in this file\n\n_Analysing…_');
});
