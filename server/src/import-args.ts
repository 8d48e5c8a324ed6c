import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { OutpostError } from '@shared/errors.js';
import { ImportColumn, type ImportSpec } from '@shared/registry/import.js';
import { ModelOutputKind } from '@shared/schema/records.js';
import type { Db } from './store/db.js';
import { importModel, type ImportOptions, type ImportRequest } from './store/imports.js';

/**
 * An import's declaration in words, as `npm run admin -- import-model` takes it in flags and the
 * console's import page in form fields (the same names): the model's name, its labels, how its
 * input is read (columns, a JSON file of columns with their mean and std, or a tensor shape with
 * its scaling) and what it answers.
 */
export interface ImportFields {
  name?: string;
  labels?: string;
  /** Comma-separated column names, in the model's input order (no scaling: mean 0, std 1). */
  columns?: string;
  /** JSON text: {"columns": [names], "mean": [...], "std": [...], "labels"?: [...]} or {"columns": [ImportColumn, ...]}. */
  columnsFrom?: string;
  /** Comma-separated item shape without the batch, e.g. 1,28,28. */
  tensorShape?: string;
  scale?: string;
  offset?: string;
  output?: string;
  target?: string;
  inputName?: string;
  outputName?: string;
  projectId?: string;
}

const bad = (m: string) => new OutpostError('bad_request', m);
const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const given = (s: string | undefined): s is string => s !== undefined && s.trim() !== '';

function numberOf(s: string | undefined, what: string, fallback: number): number {
  if (!given(s)) return fallback;
  const n = Number(s);
  if (!Number.isFinite(n)) throw bad(`The ${what} must be a number (for example 0.00392), not “${s.slice(0, 40)}”.`);
  return n;
}

const ColumnsFile = z.union([
  z.object({ columns: z.array(ImportColumn).min(1), labels: z.array(z.string()).optional() }),
  z.object({
    columns: z.array(z.string().min(1)).min(1),
    mean: z.array(z.number().finite()).optional(),
    std: z.array(z.number().finite().positive()).optional(),
    labels: z.array(z.string()).optional(),
  }),
]);

function columnsFromJson(text: string): { columns: ImportColumn[]; labels?: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw bad('The columns file is not valid JSON. It holds {"columns": [...], "mean": [...], "std": [...]}.');
  }
  const r = ColumnsFile.safeParse(raw);
  if (!r.success)
    throw bad(
      'The columns file needs "columns" (names, or columns with their kind) and, for names, "mean" and "std" of the same length if the model standardises.',
    );
  const f = r.data;
  if (f.columns.every((c) => typeof c !== 'string')) return { columns: f.columns as ImportColumn[], labels: f.labels };
  const names = f.columns as string[];
  const { mean, std } = f as { mean?: number[]; std?: number[] };
  if ((mean && mean.length !== names.length) || (std && std.length !== names.length)) {
    throw bad(
      `The columns file names ${names.length} columns but gives ${mean?.length ?? names.length} means and ${std?.length ?? names.length} standard deviations; give one of each per column.`,
    );
  }
  return { columns: names.map((name, i) => ({ name, kind: 'numeric', mean: mean?.[i] ?? 0, std: std?.[i] ?? 1 })), labels: f.labels };
}

/**
 * The ImportSpec these fields declare, or undefined when they declare no input at all (an Outpost
 * bundle carries its own). Classification when labels are given (here or in the columns file),
 * regression otherwise.
 */
export function specFromFields(f: ImportFields): ImportSpec | undefined {
  const ways = [f.columns, f.columnsFrom, f.tensorShape].filter(given).length;
  if (ways === 0) return undefined;
  if (ways > 1) throw bad('Declare the input one way: columns, a columns file, or a tensor shape.');
  if (!given(f.name)) throw bad('Give the model a name (--name, or Name on the form).');
  let input: ImportSpec['input'];
  let fileLabels: string[] | undefined;
  if (given(f.tensorShape)) {
    const shape = list(f.tensorShape).map(Number);
    if (!shape.length || !shape.every((d) => Number.isInteger(d) && d >= 1))
      throw bad(`The tensor shape is sizes separated by commas, without the batch (for example 1,28,28), not “${f.tensorShape.slice(0, 40)}”.`);
    input = { kind: 'tensor', shape, scale: numberOf(f.scale, 'scale', 1), offset: numberOf(f.offset, 'offset', 0) };
  } else if (given(f.columnsFrom)) {
    const c = columnsFromJson(f.columnsFrom);
    input = { kind: 'tabular', columns: c.columns };
    fileLabels = c.labels;
  } else {
    input = { kind: 'tabular', columns: list(f.columns!).map((name) => ({ name, kind: 'numeric' as const })) };
  }
  const labels = given(f.labels) ? list(f.labels) : fileLabels;
  let output: z.infer<typeof ModelOutputKind> | undefined;
  if (given(f.output)) {
    const o = ModelOutputKind.safeParse(f.output.trim());
    if (!o.success) throw bad(`The output is one of probabilities, logits or value, not “${f.output.slice(0, 40)}”.`);
    output = o.data;
  }
  return {
    modelName: f.name.trim(),
    task: labels && output !== 'value' ? 'classification' : 'regression',
    ...(labels && output !== 'value' ? { labels } : {}),
    ...(output ? { output } : {}),
    input,
    ...(given(f.target) ? { target: f.target.trim() } : {}),
    ...(given(f.inputName) ? { inputName: f.inputName.trim() } : {}),
    ...(given(f.outputName) ? { outputName: f.outputName.trim() } : {}),
  };
}

export const IMPORT_USAGE = `import-model ORG_ID FILE --name NAME [--labels a,b,c] [--project PROJECT_ID]
      [--columns a,b,c | --columns-from JSON_FILE | --tensor-shape 1,28,28 [--scale 0.00392] [--offset 0]]
      [--output probabilities|logits|value] [--target NAME] [--input-name NAME] [--output-name NAME]
                               import an ONNX file, a TensorFlow.js model zip or an Outpost model zip; prints the new version's id`;

const FLAGS: Record<string, keyof ImportFields> = {
  '--name': 'name',
  '--labels': 'labels',
  '--columns': 'columns',
  '--columns-from': 'columnsFrom',
  '--tensor-shape': 'tensorShape',
  '--scale': 'scale',
  '--offset': 'offset',
  '--output': 'output',
  '--target': 'target',
  '--input-name': 'inputName',
  '--output-name': 'outputName',
  '--project': 'projectId',
};

/** What `import-model` was asked to do: the organisation and the import request, the files read. */
export function importArgs(
  args: string[],
  read: (path: string) => Uint8Array = (p) => new Uint8Array(readFileSync(p)),
): { orgId: string; request: ImportRequest } {
  const positional: string[] = [];
  const f: ImportFields = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const key = FLAGS[a];
    if (!key) throw bad(`Unknown option ${a}.\n${IMPORT_USAGE}`);
    const value = args[++i];
    if (value === undefined) throw bad(`${a} needs a value.`);
    f[key] = value;
  }
  if (positional.length !== 2) throw bad(`import-model needs an organisation id and a file.\n${IMPORT_USAGE}`);
  const [orgId, path] = positional;
  const readOrSay = (p: string) => {
    try {
      return read(p);
    } catch {
      throw bad(`The file ${p} could not be read. Check the path.`);
    }
  };
  if (given(f.columnsFrom)) f.columnsFrom = new TextDecoder().decode(readOrSay(f.columnsFrom));
  const spec = specFromFields(f);
  return {
    orgId,
    request: {
      fileName: basename(path),
      bytes: readOrSay(path),
      ...(spec ? { spec } : {}),
      ...(given(f.name) ? { name: f.name.trim() } : {}),
      ...(given(f.projectId) ? { projectId: f.projectId.trim() } : {}),
      by: 'admin CLI',
    },
  };
}

/** `import-model` against a store opened by this process: the new version. */
export async function importFromArgs(db: Db, args: string[], opts: ImportOptions, read?: (path: string) => Uint8Array) {
  const { orgId, request } = importArgs(args, read);
  return importModel(db, orgId, request, opts);
}
