import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareHlc, formatHlc, MAX_COUNTER, parseHlc, receiveHlc, sendHlc, type Hlc } from './hlc.js';

// Clocks as devices have them: they stall, jump forward, go backwards; stamps must still only grow.
const T = 1_760_000_000_000;
const wallStep = fc.oneof(
  fc.constant(0), // stalled
  fc.integer({ min: 1, max: 5 }), // ticking
  fc.integer({ min: 1, max: 86_400_000 }), // jumped forward
  fc.integer({ min: -86_400_000, max: -1 }), // set back
);
const order = (a: Hlc, b: Hlc) => (a.millis - b.millis === 0 ? a.counter - b.counter : a.millis - b.millis);
const node = fc.stringMatching(/^[0-9A-Za-z_-]{1,36}$/);

describe('hybrid logical clock', () => {
  it('string order equals (millis, counter) order', () => {
    const hlc = fc.record({ millis: fc.integer({ min: 0, max: 999_999_999_999_999 }), counter: fc.integer({ min: 0, max: MAX_COUNTER }) });
    fc.assert(
      fc.property(hlc, hlc, node, (a, b, n) => {
        const sa = formatHlc({ ...a, node: n });
        const sb = formatHlc({ ...b, node: n });
        expect(Math.sign(compareHlc(sa, sb))).toBe(Math.sign(order({ ...a, node: n }, { ...b, node: n })));
        expect(parseHlc(sa)).toEqual({ ...a, node: n });
      }),
    );
  });

  it('local stamps strictly increase whatever the wall clock does', () => {
    fc.assert(
      fc.property(fc.array(wallStep, { minLength: 1, maxLength: 200 }), (steps) => {
        let wall = T;
        let clock: Hlc = { millis: 0, counter: 0, node: 'a' };
        let last = formatHlc(clock);
        for (const s of steps) {
          wall += s;
          clock = sendHlc(clock, wall);
          const stamp = formatHlc(clock);
          expect(stamp > last).toBe(true);
          expect(clock.millis).toBeGreaterThanOrEqual(wall);
          last = stamp;
        }
      }),
    );
  });

  it('receive is monotonic: the merged clock is after both the local clock and the remote stamp', () => {
    const remoteOffset = fc.integer({ min: -86_400_000, max: 60_000 });
    fc.assert(
      fc.property(fc.array(fc.tuple(wallStep, remoteOffset, fc.boolean()), { minLength: 1, maxLength: 100 }), (steps) => {
        let wall = T;
        let clock: Hlc = { millis: 0, counter: 0, node: 'a' };
        for (const [s, off, local] of steps) {
          wall += s;
          const before = clock;
          if (local) clock = sendHlc(clock, wall);
          else {
            const remote: Hlc = { millis: wall + off, counter: 7, node: 'b' };
            clock = receiveHlc(clock, remote, wall);
            expect(order(clock, remote)).toBeGreaterThan(0);
          }
          expect(order(clock, before)).toBeGreaterThan(0);
          expect(clock.node).toBe('a');
        }
      }),
    );
  });

  it('a remote stamp too far ahead is refused and leaves the clock alone', () => {
    const clock: Hlc = { millis: T, counter: 0, node: 'a' };
    expect(() => receiveHlc(clock, { millis: T + 3_600_000, counter: 0, node: 'b' }, T)).toThrow(/minutes ahead/);
    expect(receiveHlc(clock, { millis: T + 3_600_000, counter: 0, node: 'b' }, T, Number.POSITIVE_INFINITY).millis).toBe(T + 3_600_000);
  });

  it('counter overflow is refused with a sentence, never a stamp that sorts wrong', () => {
    // A clock stalled behind the newest stamp seen: every change is in the same millisecond.
    let clock: Hlc = { millis: T, counter: MAX_COUNTER - 2, node: 'a' };
    clock = sendHlc(clock, T - 1000);
    clock = sendHlc(clock, T - 1000);
    expect(clock.counter).toBe(MAX_COUNTER);
    expect(() => sendHlc(clock, T - 1000)).toThrow(/more than 65536 changes within one millisecond/);
    expect(() => receiveHlc(clock, { millis: T, counter: MAX_COUNTER, node: 'b' }, T - 1)).toThrow(/within one millisecond/);
    expect(() => formatHlc({ millis: T, counter: MAX_COUNTER + 1, node: 'a' })).toThrow();
    expect(() => formatHlc({ millis: 10 ** 15, counter: 0, node: 'a' })).toThrow(/Not a clock time/);
    // Once the wall clock passes the stalled time, the counter starts again.
    expect(sendHlc(clock, T + 1)).toEqual({ millis: T + 1, counter: 0, node: 'a' });
  });
});
