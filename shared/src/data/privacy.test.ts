import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { looksPersonal, personalWarnings, publicColumns, readShareableRows, saltedHash, shareableRows } from './privacy.js';
import { inferColumns } from './columns.js';

const SALT = '0123456789abcdef0123456789abcdef';

describe('columns that look personal', () => {
  it('by name, in the words people use', () => {
    for (const [name, kind] of [
      ['Phone', 'phone'],
      ['mobile_no', 'phone'],
      ['Namba ya simu', 'phone'],
      ['patient_name', 'name'],
      ['Surname', 'name'],
      ['Nom', 'name'],
      ['jina', 'name'],
      ['NIN', 'id'],
      ['patient id', 'id'],
      ['E-mail', 'email'],
    ] as const)
      expect(looksPersonal(name, []), name).toBe(kind);
  });

  it('by values: phone numbers, e-mails, full names', () => {
    expect(looksPersonal('c1', ['+234 803 123 4567', '0803-555-0101', '08031112222', ''])).toBe('phone');
    expect(looksPersonal('c2', ['amina@example.org', 'b@x.ng', 'c@y.com'])).toBe('email');
    expect(looksPersonal('c3', ['Amina Bello', 'Ngozi Okafor', 'Chukwuemeka A. Obi', 'Halima Yusuf'])).toBe('name');
  });

  it('not for measurements, categories or plain words', () => {
    expect(looksPersonal('age', [34, 51, 12, 8])).toBeUndefined();
    expect(looksPersonal('species', ['Iris Setosa', 'Iris Setosa', 'Iris Virginica', 'Iris Setosa', 'Iris Virginica'])).toBeUndefined();
    expect(looksPersonal('weight_kg', ['3.2', '2.9', '4.1'])).toBeUndefined();
    expect(looksPersonal('village', ['Kano', 'Zaria', 'Kano'])).toBeUndefined();
    expect(looksPersonal('renamed', [])).toBeUndefined();
    expect(looksPersonal('diagnosis', ['M', 'B', 'B'])).toBeUndefined();
  });

  it('warns only about columns nobody marked, with what to do', () => {
    const rows = [
      { name: 'Amina Bello', phone: '08031234567', age: 3 },
      { name: 'Ngozi Okafor', phone: '08035550101', age: 4 },
    ];
    const w = personalWarnings(rows, ['name', 'phone', 'age'], { phone: 'never' });
    expect(w.map((x) => x.column)).toEqual(['name']);
    expect(w[0].sentence).toBe('“name” looks like it holds people\'s names. Mark it personal so it is never sent, or sent only as a code that cannot be read back.');
  });
});

describe('the shareable form of rows', () => {
  const rows = [
    { name: 'Amina Bello', phone: '08031234567', age: 3, muac: 11.5 },
    { name: 'Ngozi Okafor', phone: '08035550101', age: null, muac: 12 },
    { name: 'Amina Bello', phone: null, age: 5, muac: 13 },
  ];
  const cols = ['name', 'phone', 'age', 'muac'];

  it('leaves out "never" columns, hashes "hash" columns with the salt, keeps the rest; no personal value in the bytes', async () => {
    const s = await shareableRows(rows, cols, { phone: 'never', name: 'hash' }, SALT);
    const text = new TextDecoder().decode(s.bytes);
    for (const v of ['Amina', 'Bello', 'Ngozi', 'Okafor', '0803', '1234567', '5550101', 'phone']) expect(text).not.toContain(v);
    expect(s).toMatchObject({ removed: ['phone'], hashed: ['name'] });
    const back = readShareableRows(s.bytes);
    expect(back.columns).toEqual(['age', 'muac', 'name']);
    expect(back.rows.map((r) => r.muac)).toEqual([11.5, 12, 13]);
    expect(back.rows[1].age).toBeNull();
    // Equal values hash equal (the same person twice), different ones differ.
    expect(back.rows[0].name).toBe(back.rows[2].name);
    expect(back.rows[0].name).not.toBe(back.rows[1].name);
    expect(back.rows[0].name).toBe(await saltedHash(SALT, 'Amina Bello'));
  });

  it('the same value hashes equal on every device under one salt and differently under another', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 20 }), async (v) => {
        expect(await saltedHash(SALT, v)).toBe(await saltedHash(SALT, ` ${v} `.trim()));
        expect(await saltedHash(SALT, v)).not.toBe(await saltedHash(`${SALT}00`, v));
      }),
      { numRuns: 30 },
    );
  });

  it('codes already made (rows from another device) are not hashed again', async () => {
    const once = readShareableRows((await shareableRows(rows, cols, { phone: 'never', name: 'hash' }, SALT)).bytes);
    const again = readShareableRows((await shareableRows(once.rows, once.columns, { phone: 'never', name: 'hash' }, undefined, ['name'])).bytes);
    expect(again.rows).toEqual(once.rows);
  });

  it('refuses to hash without a salt rather than send the values', async () => {
    await expect(shareableRows(rows, cols, { name: 'hash' })).rejects.toThrow(/no salt/);
  });

  it('a blob that is not shared rows is refused with a sentence', () => {
    expect(() => readShareableRows(new TextEncoder().encode('{"format":"other"}'))).toThrow(/update the app/);
    expect(() => readShareableRows(new Uint8Array([0xff, 0xfe]))).toThrow(/downloaded again/);
  });

  it('a personal column syncs its name and counts only, never its frequent values or range', () => {
    const c = publicColumns(inferColumns(rows, cols), { name: 'hash', phone: 'never' });
    expect(JSON.stringify(c)).not.toContain('Amina');
    expect(JSON.stringify(c)).not.toContain('0803');
    expect(c.find((x) => x.name === 'muac')?.max).toBe(13);
  });
});
