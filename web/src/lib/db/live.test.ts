import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
// Node resolves svelte to its server build, where nothing is reactive: use the browser's. Svelte's
// public API runs effects only inside compiled components, so this test calls the runtime's own.
vi.mock('svelte/reactivity', () => import('../../../../node_modules/svelte/src/reactivity/index-client.js' as string));
const $ = (await import('svelte/internal/client' as string)) as { effect_root(fn: () => void): () => void; render_effect(fn: () => void): void };
import { OutpostDb } from './db.js';
import { newId } from './mutate.js';
import { createProject, listProjects } from './projects.js';
import { live } from './live.svelte.js';

describe('live', () => {
  it('follows a named query while something reads it, and stops with the last reader', async () => {
    const db = new OutpostDb(`live-${newId()}`);
    let runs = 0;
    const projects = live(() => {
      runs++;
      return listProjects(db);
    });
    const seen: (string[] | undefined)[] = [];
    const stop = $.effect_root(() => {
      $.render_effect(() => {
        seen.push(projects.current?.map((p) => p.name));
      });
    });
    await vi.waitFor(() => expect(seen.at(-1)).toEqual([]));
    await createProject(db, 'Clinic');
    await vi.waitFor(() => expect(seen.at(-1)).toEqual(['Clinic']));
    stop();
    await new Promise((r) => setTimeout(r, 20));
    const before = runs;
    await createProject(db, 'After');
    await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBe(before);
    expect(seen.at(-1)).toEqual(['Clinic']);
  });
});
