import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from './config.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'outpost-config-'));

describe('server settings', () => {
  it('a wrong setting stops the server with a sentence naming its environment variable', () => {
    expect(() => readConfig({ OUTPOST_DATA_DIR: dataDir(), OUTPOST_CORS_ORIGINS: 'https://a.example/path' }, 't')).toThrow(/OUTPOST_CORS_ORIGINS: each origin/);
    expect(() => readConfig({ OUTPOST_DATA_DIR: dataDir(), PORT: '70000' }, 't')).toThrow(/PORT:/);
    expect(() => readConfig({ OUTPOST_DATA_DIR: dataDir(), OUTPOST_MAX_BLOB_BYTES: 'lots' }, 't')).toThrow(/OUTPOST_MAX_BLOB_BYTES:/);
  });

  it('reads every documented variable', () => {
    const c = readConfig(
      {
        OUTPOST_DATA_DIR: dataDir(),
        OUTPOST_ADMIN_TOKEN: 'a'.repeat(20),
        OUTPOST_RATE_PER_MINUTE: '5',
        OUTPOST_TRUST_PROXY: '1',
        OUTPOST_CORS_ORIGINS: 'https://a.example, http://localhost:5173',
        OUTPOST_UPLOAD_TTL_HOURS: '2',
      },
      't',
    );
    expect(c).toMatchObject({
      ratePerMinute: 5,
      trustProxy: true,
      corsOrigins: ['https://a.example', 'http://localhost:5173'],
      uploadTtlHours: 2,
      adminToken: 'a'.repeat(20),
    });
  });
});
