import { sha256Hex } from '../data/hash.js';

/**
 * The record id of a model's alias: SHA-256 (hex, 64 characters, the longest id a record may have)
 * of its project, model name and alias, so that setting the same alias again, on any server
 * process, replaces the same record.
 */
export async function aliasId(projectId: string, modelName: string, alias: string): Promise<string> {
  return sha256Hex(new TextEncoder().encode(JSON.stringify([projectId, modelName, alias])));
}
