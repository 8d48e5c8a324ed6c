import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCsvBlob, parseCsvText } from './parse-csv.js';
import { parseCsvFile } from './csv.js';
import { inProcessWorker } from '../ml/in-process-worker.js';

const irisBytes = readFileSync(new URL('../../../../public/samples/iris.csv', import.meta.url));

describe('CSV parsing', () => {
  it('reads a real dataset with inferred types and numbers converted', () => {
    const t = parseCsvText(irisBytes.toString('utf8'));
    expect(t.rowCount).toBe(150);
    expect(t.columns.map((c) => c.type)).toEqual(['numeric', 'numeric', 'numeric', 'numeric', 'categorical']);
    expect(t.rows[0]['sepal length (cm)']).toBe(5.1);
    expect(t.rows[0].species).toBe('setosa');
  });

  it('refuses an empty file, a header without rows, and a single column, saying what to do', () => {
    expect(() => parseCsvText('')).toThrow(expect.objectContaining({ code: 'csv_empty', message: expect.stringMatching(/empty/) }));
    expect(() => parseCsvText(' \n\n')).toThrow(expect.objectContaining({ code: 'csv_empty' }));
    expect(() => parseCsvText('a,b\n')).toThrow(expect.objectContaining({ code: 'csv_empty', message: expect.stringMatching(/no rows/) }));
    expect(() => parseCsvText('a\n1\n2\n')).toThrow(expect.objectContaining({ code: 'csv_malformed', message: expect.stringMatching(/Only one column/) }));
  });

  it('refuses a file whose first row is data, not a header', () => {
    expect(() => parseCsvText('5.1,3.5,1.4\n4.9,3.0,1.4\n')).toThrow(expect.objectContaining({ code: 'csv_malformed', message: expect.stringMatching(/Add a header row/) }));
  });

  it('refuses ragged rows and names the first few by row number', () => {
    expect(() => parseCsvText('a,b,c\n1,2,3\n4,5\n6,7,8,9\n')).toThrow(expect.objectContaining({ code: 'csv_malformed', message: expect.stringMatching(/row 3: too few values; row 4: too many values/) }));
    const many = 'a,b\n' + Array.from({ length: 10 }, () => '1').join('\n');
    expect(() => parseCsvText(many)).toThrow(/row 2: too few values; row 3: too few values; row 4: too few values; and more/);
  });

  it('refuses duplicate column names', () => {
    expect(() => parseCsvText('a,a\n1,2\n')).toThrow(/same name/);
  });

  it('keeps missing values as null in numeric columns, and reads semicolons', () => {
    const t = parseCsvText('x,y\n1,a\n,b\n3,a\n');
    expect(t.rows[1].x).toBeNull();
    expect(t.columns[0]).toMatchObject({ type: 'numeric', missing: 1 });
    expect(parseCsvText('x;y\n1;a\n2;b\n').rows[1]).toEqual({ x: 2, y: 'b' });
  });

  it('allows exactly the row limit and refuses one more', () => {
    const rows = (n: number) => 'a,b\n' + Array.from({ length: n }, (_, i) => `${i},x`).join('\n');
    expect(parseCsvText(rows(5), undefined, { maxRows: 5 }).rowCount).toBe(5);
    expect(() => parseCsvText(rows(6), undefined, { maxRows: 5 })).toThrow(expect.objectContaining({ code: 'csv_too_large', message: expect.stringMatching(/more than 5 rows/) }));
  });
});

describe('reading a file', () => {
  it('hashes the bytes as imported (SHA-256)', async () => {
    const t = await parseCsvBlob(new Blob([irisBytes]));
    expect(t.hash).toBe(createHash('sha256').update(irisBytes).digest('hex'));
    expect(t.rowCount).toBe(150);
  });

  it('refuses an oversized file before reading it, and text that is not UTF-8', async () => {
    await expect(parseCsvBlob(new Blob([irisBytes]), undefined, { maxBytes: 1024 })).rejects.toMatchObject({ code: 'csv_too_large', message: expect.stringMatching(/Split it or take a sample/) });
    await expect(parseCsvBlob(new Blob([new Uint8Array([0x61, 0x2c, 0x62, 0x0a, 0xff, 0xfe, 0x2c, 0x31])]))).rejects.toMatchObject({ code: 'csv_malformed', message: expect.stringMatching(/UTF-8/) });
    await expect(parseCsvBlob(new Blob([]))).rejects.toMatchObject({ code: 'csv_empty' });
  });

  it('goes through the worker and its protocol: result with the file name, errors with their code', async () => {
    const w = await inProcessWorker(() => import('./csv.worker.js'));
    const progress: number[] = [];
    const ok = await parseCsvFile(new Blob([irisBytes]), (f) => progress.push(f), { fileName: 'iris.csv', createWorker: w.create });
    expect(ok).toMatchObject({ fileName: 'iris.csv', rowCount: 150 });
    expect(ok.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(progress.at(-1)).toBe(1);
    await expect(parseCsvFile(new Blob(['a,b,c\n1,2\n']), undefined, { createWorker: w.create })).rejects.toMatchObject({ code: 'csv_malformed', message: expect.stringMatching(/row 2: too few values/) });
  });
});
