import { MAX_CLOCK_DRIFT_MS } from './protocol.js';
import { OutpostError } from '../errors.js';

/**
 * Hybrid logical clock (Kulkarni et al., 2014; as used by Actual Budget's CRDT sync).
 * A stamp is (physical millis, counter, node id). `send` advances the clock for a local event;
 * `receive` merges a remote stamp so that every later local stamp sorts after it. Stamps are
 * serialised as `MMMMMMMMMMMMMMM-CCCC-node`: 15 zero-padded decimal digits of millis, 4 hex digits
 * of counter and the node id, so that string order equals causal order for a fixed node id.
 * The wall clock is a parameter, never read here.
 */
export interface Hlc {
  millis: number;
  counter: number;
  node: string;
}

/** The largest counter a stamp can carry (4 hex digits). */
export const MAX_COUNTER = 0xffff;
/** Stamps carry 15 decimal digits of milliseconds (until the year 33658). */
export const MAX_HLC_MILLIS = 999_999_999_999_999;

const overflow = () =>
  new OutpostError(
    'clock_drift',
    `This device made more than ${MAX_COUNTER + 1} changes within one millisecond of its clock (its clock may be behind another device's). Wait a moment and try again.`,
  );

/** `MMMMMMMMMMMMMMM-CCCC-node`; refuses a stamp that would not sort correctly as a string. */
export function formatHlc(h: Hlc): string {
  if (!Number.isInteger(h.millis) || h.millis < 0 || h.millis > MAX_HLC_MILLIS) throw new OutpostError('clock_drift', `Not a clock time: ${h.millis}.`);
  if (!Number.isInteger(h.counter) || h.counter < 0 || h.counter > MAX_COUNTER) throw overflow();
  return `${String(h.millis).padStart(15, '0')}-${h.counter.toString(16).padStart(4, '0')}-${h.node}`;
}

export function parseHlc(s: string): Hlc {
  const m = /^(\d{15})-([0-9a-f]{4})-([0-9A-Za-z_-]{1,36})$/.exec(s);
  if (!m) throw new OutpostError('bad_request', `Not a clock stamp: ${s.slice(0, 80)}`);
  return { millis: Number(m[1]), counter: parseInt(m[2], 16), node: m[3] };
}

/** A stamp for a new local event at wall time `now`. */
export function sendHlc(last: Hlc, now: number): Hlc {
  const millis = Math.max(last.millis, now);
  const counter = millis === last.millis ? last.counter + 1 : 0;
  if (counter > MAX_COUNTER) throw overflow();
  return { millis, counter, node: last.node };
}

/**
 * Merge a remote stamp into the local clock at wall time `now`. Refuses a remote stamp further than
 * `maxDriftMs` ahead of `now`, so one device with a wrong clock cannot drag every clock forward.
 */
export function receiveHlc(local: Hlc, remote: Hlc, now: number, maxDriftMs = MAX_CLOCK_DRIFT_MS): Hlc {
  if (remote.millis - now > maxDriftMs) {
    throw new OutpostError(
      'clock_drift',
      `This device's clock is ${Math.round((remote.millis - now) / 60000)} minutes ahead of the server. Set the date and time correctly, then sync again.`,
    );
  }
  const millis = Math.max(local.millis, remote.millis, now);
  let counter: number;
  if (millis === local.millis && millis === remote.millis) counter = Math.max(local.counter, remote.counter) + 1;
  else if (millis === local.millis) counter = local.counter + 1;
  else if (millis === remote.millis) counter = remote.counter + 1;
  else counter = 0;
  if (counter > MAX_COUNTER) throw overflow();
  return { millis, counter, node: local.node };
}

/** Order of two stamps: their string order, which is (millis, counter, node) order. */
export function compareHlc(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
