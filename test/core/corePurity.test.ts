// src/core is pure: no vscode API, no DOM. The CLI, the extension host and its worker all run it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO } from '../helpers/paths';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** What makes a source file impure: a vscode import or a DOM global (comments and strings aside). */
function impurities(source: string): string[] {
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/(['"`])(?:\\.|(?!\1).)*\1/g, (s) => (/^['"]vscode['"]$/.test(s) ? s : '""'));
  const found: string[] = [];
  if (/from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)/.test(code)) found.push('imports vscode');
  const dom = /(?<![.\w])(document|window|HTMLElement|localStorage|navigator)\s*[.[]/.exec(code);
  if (dom) found.push(`uses DOM global ${dom[1]}`);
  return found;
}

test('src/core imports neither vscode nor DOM globals', () => {
  const files = sources(join(REPO, 'src', 'core'));
  assert.ok(files.length > 10);
  const offences = files.flatMap((f) =>
    impurities(readFileSync(f, 'utf8')).map((what) => `${relative(REPO, f)}: ${what}`),
  );
  assert.deepEqual(offences, []);
});

test('the purity check tells offending code from look-alikes', () => {
  assert.deepEqual(impurities("import * as vscode from 'vscode';"), ['imports vscode']);
  assert.deepEqual(impurities('const el = document.createElement("div");'), ['uses DOM global document']);
  assert.deepEqual(impurities('this.document(doc); // document.body'), []);
  assert.deepEqual(impurities("const s = 'vscode window.open';"), []);
});
