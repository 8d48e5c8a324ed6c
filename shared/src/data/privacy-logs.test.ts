import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loggablePredictions, projectPersonal, refusePersonalFeatures, saltedHash } from './privacy.js';
import { isOutpostError } from '../errors.js';

const SALT = '0123456789abcdef0123456789abcdef';

type Logged = Record<string, string | number | null>;
const p = (inputs: Logged, attributes?: Logged) => ({ id: 'x', inputs, ...(attributes ? { attributes } : {}) });

describe('the personal marks of a project', () => {
  it('joins every dataset, the stricter choice winning', () => {
    expect(
      projectPersonal([
        { personal: { phone: 'hash', name: 'never' } },
        {},
        { personal: { phone: 'never', village: 'hash', name: 'hash' } },
        { personal: { village: 'hash' } },
      ]),
    ).toEqual({ phone: 'never', name: 'never', village: 'hash' });
  });
});

describe('a prediction as it may be logged', () => {
  it('leaves out never columns, hashes hash columns with the salt, keeps the rest', async () => {
    const [out] = await loggablePredictions([p({ age: 30, phone: '+2348031234567', village: 'Kano' }, { tribe: 'Hausa' })], { phone: 'never', village: 'hash', tribe: 'hash' }, SALT);
    expect(out.inputs).toEqual({ age: 30, phone: null, village: await saltedHash(SALT, 'Kano') });
    expect(out.attributes).toEqual({ tribe: await saltedHash(SALT, 'Hausa') });
  });

  it('logs a hash column as null, never as itself, when there is no salt', async () => {
    const [out] = await loggablePredictions([p({ village: 'Kano' })], { village: 'hash' }, undefined);
    expect(out.inputs).toEqual({ village: null });
  });

  it('treats an input derived from a personal column (a date of birth’s year) as that column', async () => {
    const features = [{ name: 'dob (year)', source: { column: 'dob' } }, { name: 'age' }];
    const [out] = await loggablePredictions([p({ 'dob (year)': 1990, age: 34 })], { dob: 'never' }, SALT, features);
    expect(out.inputs).toEqual({ 'dob (year)': null, age: 34 });
  });

  it('keeps a missing hashed value missing, and leaves the given predictions unchanged', async () => {
    const given = [p({ village: null, phone: '0803' })];
    const [out] = await loggablePredictions(given, { village: 'hash', phone: 'hash' }, SALT);
    expect(out.inputs.village).toBeNull();
    expect(given[0].inputs).toEqual({ village: null, phone: '0803' });
  });

  it('never holds a raw value of a marked column, and equal values hash equal (fairness groups still compare)', async () => {
    const value = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim().length > 2 && !/^(na|nan|null|none|n\/a)$/i.test(s.trim())), fc.integer({ min: 1000, max: 10 ** 9 }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ a: value, b: value, c: value }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom<'never' | 'hash'>('never', 'hash'),
        async (rows, choice) => {
          const out = await loggablePredictions(
            rows.map((r) => p({ a: r.a, c: r.c }, { b: r.b })),
            { a: choice, b: 'hash' },
            SALT,
          );
          out.forEach((o, i) => {
            expect(o.inputs.c).toBe(rows[i].c);
            const logged = [o.inputs.a, o.attributes?.b];
            for (const raw of [rows[i].a, rows[i].b]) expect(logged).not.toContain(raw);
            if (choice === 'never') expect(o.inputs.a).toBeNull();
          });
          for (let i = 0; i < rows.length; i++)
            for (let j = 0; j < rows.length; j++)
              expect(out[i].attributes!.b === out[j].attributes!.b).toBe(String(rows[i].b).trim() === String(rows[j].b).trim());
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('training on a personal column', () => {
  it('is refused with a sentence naming the column', () => {
    expect(() => refusePersonalFeatures(['age', 'phone'], { phone: 'hash' })).toThrow(/“phone” is marked personal/);
    let caught: unknown;
    try {
      refusePersonalFeatures(['phone', 'name'], { phone: 'hash', name: 'never' });
    } catch (e) {
      caught = e;
    }
    expect(isOutpostError(caught) && caught.code).toBe('personal_column');
    expect(isOutpostError(caught) && caught.message).toMatch(/“phone”, “name” are marked personal/);
    expect(() => refusePersonalFeatures(['age'], { phone: 'never' })).not.toThrow();
  });
});
