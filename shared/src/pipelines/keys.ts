import { sha256Hex } from '../data/hash.js';

/**
 * JSON with object keys in code-point order at every depth, so two equal settings objects give one
 * text whatever order their keys were written in. `undefined` members are left out, as JSON does.
 */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stableJson(v))).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A step's cache key: SHA-256 (hex) of `outpost-pipeline-1`, the step's name, its settings and
 * its inputs (the output keys of the steps it reads and the run's own inputs it reads), as stable
 * JSON. Equal keys mean the step would compute the same thing, so its earlier output is reused.
 */
export async function stepKey(step: string, settings: unknown, inputs: Record<string, unknown>): Promise<string> {
  return sha256Hex(new TextEncoder().encode(stableJson(['outpost-pipeline-1', step, settings, inputs])));
}
