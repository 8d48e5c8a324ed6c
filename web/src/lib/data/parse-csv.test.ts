import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { detectSeparator, readCsv } from './parse-csv.js';
import { parseFileBlob } from './parse-file.js';
import { parseCsvFile } from './csv.js';
import { inProcessWorker } from '../ml/in-process-worker.js';
import { CsvMessage } from './csv-protocol.js';

const irisBytes = readFileSync(new URL('../../../../public/samples/iris.csv', import.meta.url));
const parse = (text: string | Uint8Array, opts: Parameters<typeof parseFileBlob>[1] = {}) => parseFileBlob(new Blob([text as BlobPart]), { fileName: 'data.csv', ...opts });
const read = (text: string, opts: Partial<Parameters<typeof readCsv>[1]> = {}) => readCsv(text, { maxRows: 1_000_000, ...opts });

describe('CSV files', () => {
  it('reads a real dataset with inferred types and numbers converted', async () => {
    const t = await parse(irisBytes);
    expect(t.rowCount).toBe(150);
    expect(t.columns.map((c) => c.type)).toEqual(['numeric', 'numeric', 'numeric', 'numeric', 'categorical']);
    expect(t.rows[0]['sepal length (cm)']).toBe(5.1);
    expect(t.rows[0].species).toBe('setosa');
    expect(t.source).toEqual({ format: 'csv', encoding: 'utf-8', separator: ',' });
    expect(t.hash).toBe(createHash('sha256').update(irisBytes).digest('hex'));
  });

  it('reads a semicolon file with decimal commas, CRLF and quoted line breaks', async () => {
    const file = 'temp;poids;note;visite\r\n36,6;3,5;"Toux\r\net fièvre";03/04/2024\r\n37,2;4;"ok; rien";25/12/2023\r\n38,1;12,25;ok;01/01/2024\r\n';
    expect(detectSeparator(file)).toBe(';');
    const t = await parse(file);
    expect(t.source.separator).toBe(';');
    expect(t.rows.map((r) => r.temp)).toEqual([36.6, 37.2, 38.1]);
    expect(t.rows.map((r) => r.poids)).toEqual([3.5, 4, 12.25]);
    expect(t.rows[0].note).toBe('Toux\r\net fièvre');
    expect(t.rows[1].note).toBe('ok; rien');
    expect(t.rows.map((r) => r.visite)).toEqual(['2024-04-03', '2023-12-25', '2024-01-01']);
    expect(t.columns.map((c) => [c.type, c.numberStyle ?? c.dateOrder])).toEqual([
      ['numeric', 'comma'],
      ['numeric', 'comma'],
      ['categorical', undefined],
      ['date', 'dmy'],
    ]);
    // Read with a separator the person chose instead, the header is one column and says so.
    await expect(parse(file, { separator: ',' })).rejects.toMatchObject({ message: expect.stringMatching(/Only one column/) });
  });

  it('follows the sep= line Excel writes, and still numbers lines as in the file', () => {
    const t = read('sep=;\r\na;b\r\n1,5;x\r\n2;y;z\r\n', { dropBadRows: true });
    expect(t.separator).toBe(';');
    expect(t.fields).toEqual(['a', 'b']);
    expect(t.rows).toEqual([{ a: '1,5', b: 'x' }]);
    expect(t.bad).toEqual([{ line: 4, reason: 'too many values (3 of 2)', said: { key: 'error.rowTooMany', values: { count: 3, columns: 2 } } }]);
  });

  it('reads back any table written with any separator, quoting and line ending (property)', () => {
    const cell = fc.oneof(
      fc.constantFrom('36,6', '1.5', 'Amélie', 'a "quoted" word', 'two\nlines', 'x;y', 'tab\there', 'bar|here', ''),
      fc.stringMatching(/^[a-z0-9 ,.;]{0,6}$/),
    );
    const table = fc.integer({ min: 2, max: 5 }).chain((width) =>
      fc.record({
        header: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: width, maxLength: width }),
        rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 20 }),
        sep: fc.constantFrom(',', ';', '\t', '|'),
        eol: fc.constantFrom('\n', '\r\n'),
      }),
    );
    fc.assert(
      fc.property(table, ({ header, rows, sep, eol }) => {
        // A row of only empty or blank cells counts as a blank line, and blank lines are skipped.
        fc.pre(rows.every((r) => r.some((v) => v.trim() !== '')));
        const quote = (v: string) => (/[",;\t|\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v);
        const text = [header, ...rows].map((r) => r.map(quote).join(sep)).join(eol) + eol;
        const t = read(text, { separator: sep });
        expect(t.fields).toEqual(header);
        expect(t.rows).toEqual(rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))));
        expect(detectSeparator(text)).toBe(sep);
      }),
    );
  });

  it('detects tab and vertical bar separators, and commas when nothing else fits', () => {
    expect(detectSeparator('a\tb\tc\n1\t2\t3\n')).toBe('\t');
    expect(detectSeparator('a|b\n1|2\n')).toBe('|');
    expect(detectSeparator('a,b\n"1;2",3\n')).toBe(',');
    expect(detectSeparator('just text\n')).toBe(',');
  });

  it('refuses an empty file, a header without rows, and a single column, saying what to do', async () => {
    await expect(parse('')).rejects.toMatchObject({ code: 'csv_empty', message: expect.stringMatching(/empty/) });
    await expect(parse(' \n\n')).rejects.toMatchObject({ code: 'csv_empty' });
    await expect(parse('a,b\n')).rejects.toMatchObject({ code: 'csv_empty', message: expect.stringMatching(/no rows/) });
    await expect(parse('a;b\r\n')).rejects.toMatchObject({ code: 'csv_empty', message: expect.stringMatching(/no rows/) });
    await expect(parse('a\n1\n2\n')).rejects.toMatchObject({ code: 'csv_malformed', message: expect.stringMatching(/Only one column/) });
  });

  it('refuses a file whose first row is data, and duplicate or empty column names', () => {
    expect(() => read('5.1,3.5,1.4\n4.9,3.0,1.4\n')).toThrow(expect.objectContaining({ code: 'csv_malformed', message: expect.stringMatching(/Add a header row/) }));
    expect(() => read('a,a\n1,2\n')).toThrow(/same name/);
    expect(() => read('a,,c\n1,2,3\n')).toThrow(/no name/);
  });

  it('names ragged rows by the line they start on (quoted line breaks counted) and leaves them out when asked', () => {
    const text = 'a,b,c\n1,2,3\n4,5\n"x\ny",7,8\n\n6,7,8,9\n10,11,12';
    let err: unknown;
    try {
      read(text);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'csv_malformed', message: expect.stringMatching(/^2 rows do not fit \(line 3: too few values \(2 of 3\); line 7: too many values \(4 of 3\)\)/) });
    expect((err as { details: unknown }).details).toEqual({
      badRows: [
        { line: 3, reason: 'too few values (2 of 3)', said: { key: 'error.rowTooFew', values: { count: 2, columns: 3 } } },
        { line: 7, reason: 'too many values (4 of 3)', said: { key: 'error.rowTooMany', values: { count: 4, columns: 3 } } },
      ],
      what: { key: 'error.rowsWidth', values: { columns: 3 } },
    });
    const kept = read(text, { dropBadRows: true });
    expect(kept.rows.map((r) => r.a)).toEqual(['1', 'x\ny', '10']);
    expect(kept.bad.map((b) => b.line)).toEqual([3, 7]);
    const many = 'a,b\n' + Array.from({ length: 10 }, () => '1').join('\n');
    expect(() => read(many)).toThrow(/^10 rows do not fit \(line 2: .*line 6: too few values \(1 of 2\); and 5 more\)/);
  });

  it('refuses a quote that never closes, by line', () => {
    expect(() => read('a,b\n1,2\n3,"four\n5,6\n')).toThrow(/line 3: a quote is not closed/);
  });

  it('allows exactly the row limit and refuses one more', async () => {
    const rows = (n: number) => 'a,b\n' + Array.from({ length: n }, (_, i) => `${i},x`).join('\n');
    expect((await parse(rows(5), { maxRows: 5 })).rowCount).toBe(5);
    await expect(parse(rows(6), { maxRows: 5 })).rejects.toMatchObject({ code: 'csv_too_large', message: expect.stringMatching(/more than 5 rows/) });
  });
});

describe('encodings and what is not a table', () => {
  const latin1 = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));
  // "nom;ville;temp" with é à ç as Windows-1252/Latin-1 single bytes, as Excel in French exports it.
  const latinFile = latin1('nom;ville;temp\r\nAmélie;Kaduna;36,6\r\nFrançois;Abéokuta;37,2\r\nÀdìsá;Lagos;38\r\n'.normalize('NFC'));

  it('asks about a file that is not UTF-8, showing its accents, and reads it as chosen', async () => {
    const asked = await parse(latinFile);
    expect(asked.source.encoding).toBe('windows-1252');
    expect(asked.encodingQuestion).toMatchObject({ suggested: 'windows-1252' });
    expect(asked.encodingQuestion!.accents.join(' ')).toBe('é ç À ì á');
    expect(asked.encodingQuestion!.words).toEqual(['Amélie', 'François', 'Abéokuta', 'Àdìsá']);
    expect(asked.rows[0]).toEqual({ nom: 'Amélie', ville: 'Kaduna', temp: 36.6 });
    // Read as another encoding, the question shows what that reads as, and keeps the likeliest.
    const chosen = await parse(latinFile, { encoding: 'windows-1251' });
    expect(chosen.source.encoding).toBe('windows-1251');
    expect(chosen.encodingQuestion).toMatchObject({ suggested: 'windows-1252', words: ['Amйlie', 'Franзois', 'Abйokuta', 'Аdмsб'] });
    // A UTF-8 file read as UTF-8 asks nothing, even when chosen.
    expect((await parse('a,b\né,1\n', { encoding: 'utf-8' })).encodingQuestion).toBeUndefined();
  });

  it('reads UTF-8 and UTF-16 (LE and BE) with a byte-order mark, and UTF-8 without one', async () => {
    const text = 'nom,âge\nAmélie,34\nÌfẹ́olúwa,29\n';
    const utf8 = new TextEncoder().encode(text);
    const le = new Uint8Array(2 + text.length * 2);
    le.set([0xff, 0xfe]);
    const be = new Uint8Array(2 + text.length * 2);
    be.set([0xfe, 0xff]);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      le.set([c & 0xff, c >> 8], 2 + i * 2);
      be.set([c >> 8, c & 0xff], 2 + i * 2);
    }
    for (const [bytes, encoding] of [
      [new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]), 'utf-8'],
      [utf8, 'utf-8'],
      [le, 'utf-16le'],
      [be, 'utf-16be'],
    ] as const) {
      const t = await parse(bytes);
      expect(t.source.encoding).toBe(encoding);
      expect(t.encodingQuestion).toBeUndefined();
      expect(t.columns.map((c) => c.name)).toEqual(['nom', 'âge']);
      expect(t.rows[1]).toEqual({ nom: 'Ìfẹ́olúwa', âge: 29 });
    }
  });

  it('refuses workbooks, pictures and binary data, and wrong extensions, saying what to do', async () => {
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]);
    await expect(parse(zip)).rejects.toMatchObject({ code: 'csv_malformed', message: expect.stringMatching(/ZIP archive.*CSV UTF-8/) });
    await expect(parse(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0]))).rejects.toMatchObject({ message: expect.stringMatching(/PNG picture/) });
    await expect(parse(new Uint8Array([0x61, 0x2c, 0x62, 0x0a, 0x00, 0x01, 0x02, 0x31]))).rejects.toMatchObject({ message: expect.stringMatching(/not text \(it holds binary data\)/) });
    await expect(parse('a,b\n1,2\n', { fileName: 'clinic.xlsx' })).rejects.toMatchObject({ message: expect.stringMatching(/“clinic.xlsx” is a spreadsheet workbook.*Save as/) });
    await expect(parse('a,b\n1,2\n', { fileName: 'scan.pdf' })).rejects.toMatchObject({ message: expect.stringMatching(/not a table of data/) });
  });

  it('refuses a file too large for the phone before reading it', async () => {
    await expect(parse(irisBytes, { maxBytes: 1024 })).rejects.toMatchObject({ code: 'csv_too_large', message: expect.stringMatching(/this phone can import up to 0.00 MB|Split it or take a sample/) });
  });
});

describe('the import worker', () => {
  it('its answer is checked: rows hold only text, numbers and empty values', () => {
    const done = { type: 'done', hash: 'a'.repeat(64), rowCount: 1, columns: [], source: { format: 'csv', encoding: 'utf-8' }, dropped: [] };
    expect(CsvMessage.safeParse({ ...done, rows: [{ a: 'x', b: 1, c: null }] }).success).toBe(true);
    expect(CsvMessage.safeParse({ ...done, rows: [{ a: { nested: 1 } }] }).success).toBe(false);
    expect(CsvMessage.safeParse({ ...done, rows: [['x']] }).success).toBe(false);
    expect(CsvMessage.safeParse({ ...done, rows: 'x' }).success).toBe(false);
  });

  it('goes through the worker and its protocol: result with the file name, errors with their code and bad rows', async () => {
    const w = await inProcessWorker(() => import('./csv.worker.js'));
    const progress: number[] = [];
    const ok = await parseCsvFile(new Blob([irisBytes]), (f) => progress.push(f), { fileName: 'iris.csv', createWorker: w.create });
    expect(ok).toMatchObject({ fileName: 'iris.csv', rowCount: 150, dropped: [] });
    expect(ok.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(progress.at(-1)).toBe(1);
    await expect(parseCsvFile(new Blob(['a,b,c\n1,2\n3,4,5\n']), undefined, { createWorker: w.create })).rejects.toMatchObject({
      code: 'csv_malformed',
      message: expect.stringMatching(/line 2: too few values/),
      details: { badRows: [{ line: 2, reason: 'too few values (2 of 3)' }] },
    });
    const dropped = await parseCsvFile(new Blob(['a,b,c\n1,2\n3,4,5\n']), undefined, { createWorker: w.create, choices: { dropBadRows: true } });
    expect(dropped).toMatchObject({ rowCount: 1, dropped: [{ line: 2 }] });
    // A screen that does not ask about encodings is refused a file that is not UTF-8; one that asks gets the question.
    const latin = new Uint8Array([0x61, 0x2c, 0x62, 0x0a, 0xe9, 0x2c, 0x31, 0x0a]);
    await expect(parseCsvFile(new Blob([latin]), undefined, { createWorker: w.create })).rejects.toMatchObject({ message: expect.stringMatching(/not UTF-8.*Western European/) });
    const asked = await parseCsvFile(new Blob([latin]), undefined, { createWorker: w.create, askEncoding: true });
    expect(asked.encodingQuestion?.accents).toEqual(['é']);
  });
});
