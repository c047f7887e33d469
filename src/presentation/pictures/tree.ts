// The pictures as plain data for the panels: a webview never parses markup, so the markup our renderers make (every
// trace-derived string escaped by esc()) is turned into a tree of tags, attributes and text here, in the extension,
// and the webview builds nodes from it with createElementNS / createTextNode.

import type { PictureNode } from '../../shared/views';

export type { PictureNode };

const TAG = /<(\/?)([a-z][a-z0-9]*)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"]*")*)\s*(\/?)>/y;
const ATTR = /\s+([a-zA-Z][a-zA-Z0-9:-]*)="([^"]*)"/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    if (e[0] !== '#') return NAMED[e.toLowerCase()];
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

/** One root element from our renderers' markup; anything else (unbalanced tags, a second root) throws. */
export function pictureTree(markup: string): PictureNode {
  const root: PictureNode = { tag: '#root', attrs: [], children: [] };
  const stack = [root];
  let at = 0;
  while (at < markup.length) {
    const lt = markup.indexOf('<', at);
    if (lt !== at) {
      const end = lt < 0 ? markup.length : lt;
      stack[stack.length - 1].children.push(decode(markup.slice(at, end)));
      at = end;
      continue;
    }
    TAG.lastIndex = at;
    const m = TAG.exec(markup);
    if (!m) throw new Error(`picture markup: no tag at ${at}`);
    at = TAG.lastIndex;
    const [, closing, tag, attrText, selfClosing] = m;
    if (closing) {
      if (stack.length < 2 || stack.pop()!.tag !== tag) throw new Error(`picture markup: unbalanced </${tag}>`);
      continue;
    }
    const attrs = [...attrText.matchAll(ATTR)].map((a): [string, string] => [a[1], decode(a[2])]);
    const node: PictureNode = { tag, attrs, children: [] };
    stack[stack.length - 1].children.push(node);
    if (!selfClosing) stack.push(node);
  }
  const [only] = root.children;
  if (stack.length !== 1 || root.children.length !== 1 || typeof only === 'string') {
    throw new Error('picture markup: not one element');
  }
  return only;
}
