import { describe, expect, it } from 'vitest';
import { Run, RunDevice } from '@shared/schema/records.js';
import { thisDevice } from './device.js';

describe('thisDevice', () => {
  it('keeps what the browser tells and leaves out what it does not', () => {
    const d = thisDevice({ userAgent: 'Mozilla/5.0 (Linux; Android 10)', platform: 'Linux armv8l', hardwareConcurrency: 8, deviceMemory: 2 });
    expect(d).toEqual({ userAgent: 'Mozilla/5.0 (Linux; Android 10)', platform: 'Linux armv8l', cores: 8, memoryGb: 2 });
    expect(thisDevice({ userAgent: 'x', hardwareConcurrency: 0, userAgentData: { platform: 'Android' } })).toEqual({ userAgent: 'x', platform: 'Android' });
    expect(thisDevice(undefined)).toEqual({ userAgent: 'unknown' });
  });

  it('always fits the run schema, even from an odd browser', () => {
    const d = thisDevice({ userAgent: 'u'.repeat(900), platform: 'p'.repeat(300), hardwareConcurrency: 1.5, deviceMemory: -1 });
    expect(RunDevice.parse(d)).toEqual(d);
    expect(d.userAgent).toHaveLength(500);
    expect(Run.shape.device.parse(d)).toEqual(d);
  });
});
