// sched_switch payloads of the plain shape are read without the regex: every field must be what the regex gives,
// for real lines and for comms holding colons, brackets, spaces, dashes and arrows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSchedSwitch } from '../../src/core/eventFields';

// the parser's regexes, as the reference
const PLUGIN = /^(.*):(-?\d+) \[(-?\d+)\] (\S+) ==> (.*):(-?\d+) \[(-?\d+)\]/;
const RAW =
  /^prev_comm=(.*) prev_pid=(-?\d+) prev_prio=(-?\d+) prev_state=(\S+) ==> next_comm=(.*) next_pid=(-?\d+) next_prio=(-?\d+)/;
function byRegex(p: string) {
  const m = PLUGIN.exec(p) ?? RAW.exec(p);
  return m ? { prevComm: m[1], prevPid: Number(m[2]), prevState: m[4], nextComm: m[5], nextPid: Number(m[6]) } : null;
}

test('trace-cmd lines: the fields as printed (lines of samples/guest-trace and hand-made ones)', () => {
  assert.deepEqual(parseSchedSwitch('bash:21134 [120] R ==> bash:21137 [120]'), {
    prevComm: 'bash',
    prevPid: 21134,
    prevState: 'R',
    nextComm: 'bash',
    nextPid: 21137,
  });
  assert.deepEqual(parseSchedSwitch('swapper/1:0 [120] R ==> kworker/u4:2:53 [120]'), {
    prevComm: 'swapper/1',
    prevPid: 0,
    prevState: 'R',
    nextComm: 'kworker/u4:2',
    nextPid: 53,
  });
  const odd = [
    'a b: c:7 [-1] S+ ==> x ==> y:8 [9]', // two arrows
    'a:1 [2] S ==> b:3 [4] trailing', // something after the next prio
    'a:1 [2] S\t ==> b:3 [4]', // a tab after the state
    'a:-0 [2] D ==> :5 [-4]', // signed pid, empty next comm
    'a\u2028b:1 [2] R ==> c:3 [4]', // a line separator in the comm
    'prev_comm=a prev_pid=1 prev_prio=2 prev_state=S ==> next_comm=b next_pid=3 next_prio=4',
    'a:1 [2]  ==> b:3 [4]', // no state
    'a:1-2 [3] R ==> b:4 [5]',
    'a:1x[2] R ==> b:3 [4]', // no space before a bracket
    'a:1 [2]R ==> b:3 [4]',
    'a:1 [2] R ==> b:3x[4]',
    'a:1 [2] R ==> b:3 [4',
    'a1 [2] R ==> b:3 [4]', // no colon before the pid
  ];
  for (const p of odd) assert.deepEqual(parseSchedSwitch(p), byRegex(p), p);
});

test('any payload built of the characters that matter: the same fields as the regex', () => {
  const piece = fc.constantFrom(
    ':',
    '-',
    '1',
    '42',
    ' ',
    '[',
    ']',
    ' ==> ',
    '=',
    '>',
    'a',
    'R',
    '\t',
    '\n',
    '\u2028',
    '[120]',
  );
  const free = fc.array(piece, { maxLength: 12 }).map((a) => a.join(''));
  const num = fc.oneof(fc.integer({ min: -5, max: 99999 }).map(String), fc.constant('-0'));
  // mostly the real shape with odd comms and states, sometimes anything
  const open = fc.constantFrom(' [', ' [', ' [', '[', 'x[', '  [');
  const shaped = fc
    .tuple(free, num, open, num, free, free, num, open, num, fc.oneof(fc.constant(''), free))
    .map(
      ([pc, pp, po, pr, st, nc, np, no, nr, tail]) => `${pc}:${pp}${po}${pr}] ${st} ==> ${nc}:${np}${no}${nr}]${tail}`,
    );
  fc.assert(
    fc.property(fc.oneof(shaped, free), (p) => {
      assert.deepEqual(parseSchedSwitch(p), byRegex(p));
    }),
    { numRuns: 5000 },
  );
});
