import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseIcu, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { parse as parseSvelte } from 'svelte/compiler';
import en from './catalogues/en.js';
import fr from './catalogues/fr.js';
import ha from './catalogues/ha.js';
import yo from './catalogues/yo.js';
import ig from './catalogues/ig.js';
import pcm from './catalogues/pcm.js';
import sw from './catalogues/sw.js';
import { LOCALES } from './locales.js';
import { NOT_CONVERTED } from './not-converted.js';

const catalogues: Record<string, Record<string, string>> = { en, fr, ha, yo, ig, pcm, sw };
const web = fileURLToPath(new URL('../../', import.meta.url));
const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** Each placeholder of a pattern with its kind ("count:plural", "name:argument"); plurals must have `other`. */
function shape(pattern: string): string[] {
  const out = new Set<string>();
  const walk = (els: MessageFormatElement[]) => {
    for (const el of els) {
      if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) out.add(`${el.value}:${TYPE[el.type]}`);
      if (el.type === TYPE.plural || el.type === TYPE.select) {
        out.add(`${el.value}:${TYPE[el.type]}`);
        if (!('other' in el.options)) out.add(`${el.value}:missing-other`);
        for (const o of Object.values(el.options)) walk(o.value);
      }
      if (el.type === TYPE.tag) walk(el.children);
    }
  };
  walk(parseIcu(pattern));
  return [...out].sort();
}

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(name) && !/\.test\.ts$/.test(name) ? [p] : [];
  });
}

describe('catalogues', () => {
  it('one catalogue per language', () => {
    expect(Object.keys(catalogues).sort()).toEqual([...LOCALES].sort());
  });

  it('every language has exactly the source keys', () => {
    const keys = Object.keys(en).sort();
    for (const [locale, c] of Object.entries(catalogues)) expect({ locale, keys: Object.keys(c).sort() }).toEqual({ locale, keys });
  });

  it('every message parses and has the placeholders and plurals of its source', () => {
    const wrong: string[] = [];
    for (const [key, source] of Object.entries(en)) {
      const want = shape(source);
      for (const [locale, c] of Object.entries(catalogues)) {
        const pattern = c[key];
        if (pattern === undefined) continue;
        let got: string[];
        try {
          got = shape(pattern);
        } catch (e) {
          wrong.push(`${locale} ${key}: does not parse (${(e as Error).message})`);
          continue;
        }
        if (got.join() !== want.join()) wrong.push(`${locale} ${key}: has ${got.join(', ') || 'none'}, source has ${want.join(', ') || 'none'}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every key the code names is in the source catalogue', () => {
    const used = new Set<string>();
    const sources = [...files(web, /\.(ts|svelte)$/), ...files(join(root, 'shared/src'), /\.ts$/)];
    for (const f of sources) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\b(?:t|i18n\.t)\(\s*'([^']+)'/g)) used.add(m[1]!);
      for (const m of text.matchAll(/\bkey: '([a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+)'/g)) used.add(m[1]!);
      // Errors a person reads (`new SaidError(code, { key })`, sync failures), wherever the key is written.
      for (const m of text.matchAll(/'((?:error|sync\.failure)\.[A-Za-z0-9]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((k) => !(k in en))).toEqual([]);
  });
});

// Attributes a person reads (or hears from a screen reader) that must come from a catalogue.
const READ_ATTRIBUTES = new Set(['aria-label', 'placeholder', 'title', 'alt', 'label', 'aria-description']);
const hasWords = (s: string) => /\p{L}{2,}/u.test(s);

/** Text in a component's markup that was written in English rather than looked up. */
function hardCoded(source: string): string[] {
  const ast = parseSvelte(source, { modern: true });
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as { type?: string; name?: string; data?: string; value?: unknown };
    if (n.type === 'Text') {
      if (hasWords(n.data ?? '')) found.push(n.data!.trim());
      return;
    }
    if (n.type === 'Attribute') {
      if (READ_ATTRIBUTES.has(n.name ?? '') && Array.isArray(n.value)) {
        for (const v of n.value as { type: string; data?: string }[]) if (v.type === 'Text' && hasWords(v.data ?? '')) found.push(`${n.name}="${v.data}"`);
      }
      return;
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'expression' && k !== 'metadata') visit(v);
  };
  visit(ast.fragment);
  return found;
}

describe('screens say everything through the catalogues', () => {
  const components = [...files(join(web, 'routes'), /\.svelte$/), ...files(join(web, 'lib/components'), /\.svelte$/), join(web, 'app/App.svelte')];
  const rel = (f: string) => relative(root, f);
  const pending = new Set(NOT_CONVERTED.flatMap((p) => components.map(rel).filter((f) => f === p || f.startsWith(`${p}/`))));

  it('a converted component has no hard-coded words in its markup or read attributes', () => {
    const found = components.filter((f) => !pending.has(rel(f))).flatMap((f) => hardCoded(readFileSync(f, 'utf8')).map((s) => `${rel(f)}: ${s}`));
    expect(found).toEqual([]);
  });

  it('the list of components not yet converted only names what exists and still needs converting', () => {
    for (const p of NOT_CONVERTED) expect({ p, exists: existsSync(join(root, p)) }).toEqual({ p, exists: true });
    const done = [...pending].filter((f) => hardCoded(readFileSync(join(root, f), 'utf8')).length === 0);
    expect(done).toEqual([]);
  });

  it('the check catches words in text and in read attributes', () => {
    expect(hardCoded('<p>Hello {name}</p><input placeholder="e.g. Clinic" aria-label={t("x")} class="card" />')).toEqual([
      'Hello',
      'placeholder="e.g. Clinic"',
    ]);
    expect(hardCoded('<p>{t("a")} · {n}%</p>')).toEqual([]);
  });
});
