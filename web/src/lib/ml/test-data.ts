// Test support only: the sample datasets (the same files as /work/shared/datasets, shipped with
// the app under public/samples) parsed the way the CSV import does, all values as text.
import Papa from 'papaparse';
import { readFileSync } from 'node:fs';
import { inferColumns } from '@shared/data/columns.js';
import type { ColumnInfo, TrainParams } from '@shared/schema/records.js';
import { defaultParams } from './defaults.js';

export interface Sample {
  /** As parsed: every value a string (no dynamic typing), like rows on the wire. */
  rows: Record<string, string>[];
  columns: ColumnInfo[];
  names: string[];
}

export function loadSample(name: 'iris' | 'breast_cancer' | 'diabetes'): Sample {
  const text = readFileSync(new URL(`../../../../public/samples/${name}.csv`, import.meta.url), 'utf8');
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: 'greedy' });
  const names = parsed.meta.fields!;
  return { rows: parsed.data, columns: inferColumns(parsed.data, names), names };
}

export function sampleParams(d: Sample, task: TrainParams['task'], target: string, over: Partial<TrainParams> = {}): TrainParams {
  return { ...defaultParams(task, d.rows.length), target, features: d.names.filter((n) => n !== target), ...over };
}
