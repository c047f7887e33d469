// Gives plain-text documents the language their content shows (a trace saved as notes.txt is still a trace).
import * as vscode from 'vscode';
import { detectTextFormat } from '../core/index';
import { languageForFormat } from './languages';

/** Lines looked at, as the core's detection does on files. */
const SNIFF_LINES = 200;
/** Documents this large are sniffed from their first part only, without reading all lines. */
const SNIFF_MAX_CHARS = 256 * 1024;

export function sniffLanguage(doc: vscode.TextDocument): string | null {
  const head: string[] = [];
  const end = Math.min(doc.lineCount, SNIFF_LINES * 4);
  let chars = 0;
  for (let i = 0; i < end && head.length < SNIFF_LINES && chars < SNIFF_MAX_CHARS; i++) {
    const text = doc.lineAt(i).text;
    chars += text.length;
    if (text.trim() !== '') head.push(text.length > 4096 ? text.slice(0, 4096) : text);
  }
  if (head.length === 0) return null;
  try {
    return languageForFormat(detectTextFormat(head));
  } catch {
    return null; // a detector bug must not break opening files
  }
}

async function maybeSetLanguage(doc: vscode.TextDocument): Promise<void> {
  if (doc.languageId !== 'plaintext') return;
  const lang = sniffLanguage(doc);
  if (lang) await vscode.languages.setTextDocumentLanguage(doc, lang);
}

export function registerLanguageDetection(context: vscode.ExtensionContext): void {
  const pendingUntitled = new Set<string>();
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument((d) => void maybeSetLanguage(d)),
    // an untitled document is empty when opened; sniff once when text is pasted into it
    vscode.workspace.onDidChangeTextDocument((e) => {
      const d = e.document;
      if (!d.isUntitled || d.languageId !== 'plaintext' || pendingUntitled.has(d.uri.toString())) return;
      if (d.lineCount < 3) return;
      pendingUntitled.add(d.uri.toString());
      setTimeout(() => {
        pendingUntitled.delete(d.uri.toString());
        void maybeSetLanguage(d);
      }, 300);
    }),
  );
  for (const d of vscode.workspace.textDocuments) void maybeSetLanguage(d);
}
