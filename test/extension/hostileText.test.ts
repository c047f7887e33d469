// Trace text is untrusted: task names, payloads and file names must reach the Analysis panel and hovers as text only.
// The panel's renderer runs here over a minimal DOM whose nodes refuse HTML parsing (innerHTML & co. throw), and the
// webview sources are scanned for HTML-parsing APIs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Analysis } from '../../src/core/index';
import { buildAnalysisView, buildPartialView } from '../../src/presentation/analysisView';
import { isHostMessage } from '../../src/shared/messages';
import { buildHoverMarkdown, escapeMarkdown } from '../../src/presentation/hoverText';
import { explainTraceLine } from '../../src/core/index';
import { REPO } from '../helpers/paths';
import { fixtureAnalysis } from '../helpers/fixtureAnalysis';

const IMG = `<img src=x onerror="document.title='pwned'">`;
const SCRIPT = `<script>document.title="pwned"</script>`;
const HOSTILE = `${IMG}${SCRIPT}`;

// ---------- a minimal DOM: elements, text nodes, attributes; no HTML parser anywhere ----------

class FakeText {
  readonly nodeType = 3;
  constructor(public data: string) {}
  get textContent(): string {
    return this.data;
  }
}

class FakeElement {
  readonly nodeType = 1;
  readonly children: (FakeElement | FakeText)[] = [];
  readonly attributes = new Map<string, string>();
  readonly style: Record<string, string> = {};
  readonly dataset: Record<string, string> = {};
  className = '';
  constructor(readonly tagName: string) {}
  setAttribute(k: string, v: string): void {
    this.attributes.set(k, String(v));
  }
  getAttribute(k: string): string | null {
    return this.attributes.get(k) ?? null;
  }
  append(...nodes: (FakeElement | FakeText | string)[]): void {
    for (const n of nodes) this.children.push(typeof n === 'string' ? new FakeText(n) : n);
  }
  appendChild(n: FakeElement | FakeText): void {
    this.children.push(n);
  }
  addEventListener(): void {}
  get childElementCount(): number {
    return this.children.filter((c) => c instanceof FakeElement).length;
  }
  get firstChild(): FakeElement | FakeText | null {
    return this.children[0] ?? null;
  }
  removeChild(n: FakeElement | FakeText): void {
    this.children.splice(this.children.indexOf(n), 1);
  }
  get textContent(): string {
    return this.children.map((c) => c.textContent).join('');
  }
  // anything that would parse markup is a failure of the renderer
  set innerHTML(_v: string) {
    throw new Error('innerHTML used');
  }
  set outerHTML(_v: string) {
    throw new Error('outerHTML used');
  }
  insertAdjacentHTML(): void {
    throw new Error('insertAdjacentHTML used');
  }
}

function installFakeDom(): void {
  const doc = {
    createElement: (tag: string) => new FakeElement(tag.toLowerCase()),
    createElementNS: (_ns: string, tag: string) => new FakeElement(tag),
    createTextNode: (text: string) => new FakeText(text),
    write: () => {
      throw new Error('document.write used');
    },
  };
  (globalThis as Record<string, unknown>).document = doc;
}

function walk(node: FakeElement | FakeText, visit: (n: FakeElement | FakeText) => void): void {
  visit(node);
  if (node instanceof FakeElement) for (const c of node.children) walk(c, visit);
}

/** An analysis whose every trace-derived string is hostile. */
function hostileAnalysis(): Analysis {
  const a = fixtureAnalysis('analysis-tcprr.json');
  const path = `/work/${IMG}.report.txt`;
  a.inputs = [
    {
      ...a.inputs[0],
      path,
      warnings: [{ line: 11, message: `not a trace-cmd-report event line, skipped: "${HOSTILE}"` }],
      error: null,
    },
  ];
  const r0 = a.exits!.byReason[0];
  a.exits!.byReason = [{ ...r0, reason: HOSTILE, description: `payload ${SCRIPT}` }, ...a.exits!.byReason.slice(1)];
  const rec = a.recommendations[0];
  a.recommendations = [
    { ...rec, title: `Fix ${IMG}`, rationale: SCRIPT, setting: `${IMG}=1` },
    ...a.recommendations.slice(1),
  ];
  return a;
}

test('webview sources never parse markup: no innerHTML, outerHTML, insertAdjacentHTML or document.write', () => {
  const dir = join(REPO, 'webview');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|js|mjs)$/.test(f));
  assert.ok(files.length >= 5, `webview sources found: ${files.join(', ')}`);
  for (const f of files) {
    const src = readFileSync(join(dir, f), 'utf8');
    for (const api of [
      'innerHTML',
      'outerHTML',
      'insertAdjacentHTML',
      'document.write',
      'DOMParser',
      'createContextualFragment',
    ]) {
      assert.equal(src.includes(api), false, `${f} uses ${api}`);
    }
  }
});

test('the Analysis panel renders hostile names, reasons, warnings and recommendations as text nodes only', async () => {
  installFakeDom();
  const { renderAnalysis } = await import('../../webview/analysisView');
  const view = buildAnalysisView(hostileAnalysis(), 1);
  // the view model passes the strings through unchanged (they are text, not markup) and the message is valid
  assert.equal(view.reasons[0].reason, HOSTILE);
  assert.ok(isHostMessage({ type: 'analysis', view }));
  for (const v of [view, buildPartialView(hostileAnalysis(), { state: 'reading', percent: 42 }, HOSTILE, 1)]) {
    const root = new FakeElement('main');
    renderAnalysis(root as unknown as HTMLElement, v, { reveal() {}, copySetting() {}, exportAs() {} });
    const tags = new Set<string>();
    const texts: string[] = [];
    walk(root, (n) => {
      if (n instanceof FakeElement) {
        tags.add(n.tagName);
        for (const [k, val] of n.attributes) assert.ok(!/^on/i.test(k), `event handler attribute ${k}=${val}`);
      } else texts.push(n.data);
    });
    assert.equal(tags.has('img'), false);
    assert.equal(tags.has('script'), false);
    const all = texts.join('\n');
    assert.ok(all.includes(`${IMG}.report.txt`), 'file name shown as text');
    assert.ok(all.includes(HOSTILE), 'reason shown as text');
    assert.ok(all.includes(`payload ${SCRIPT}`), 'reason description shown as text');
    if (!v.partial) {
      assert.ok(all.includes(`Fix ${IMG}`), 'recommendation title shown as text');
      assert.ok(all.includes(`skipped: "${HOSTILE}"`), 'reader warning shown as text');
    } else {
      assert.ok(all.includes('Reading… 42\u00a0%'), 'partial banner');
    }
  }
});

test('hover Markdown escapes hostile task names and payloads (no raw < or > reaches the Markdown renderer)', () => {
  const line = `${HOSTILE}-21137 [001] 10729.494755: write_msr:            830, value fb`;
  const explanation = explainTraceLine(line);
  const md = buildHoverMarkdown({
    explanation,
    event: explanation ? null : 'write_msr',
    fact: null,
    likeCount: 3,
    reason: null,
    status: `failed: ${HOSTILE}`,
  })!;
  assert.ok(md.length > 0);
  // every < and > is backslash-escaped, so markdown-it shows them as characters
  assert.equal(/(^|[^\\])[<>]/.test(md), false, md);
  assert.ok(md.includes(escapeMarkdown(HOSTILE)));
  const eventOnly = buildHoverMarkdown({
    explanation: null,
    event: HOSTILE,
    fact: null,
    likeCount: null,
    reason: null,
    status: null,
  })!;
  assert.equal(/(^|[^\\])[<>]/.test(eventOnly), false, eventOnly);
});
