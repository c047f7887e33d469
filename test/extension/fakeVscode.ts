// A small fake of the parts of the vscode API the providers use, so they run under node's test runner.
// installFakeVscode() makes `import * as vscode from 'vscode'` resolve here; import the modules under test after it.
import Module from 'node:module';

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}
export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: number | Position, b: number | Position, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c!, d!) : (b as Position);
  }
}
export class MarkdownString {
  constructor(readonly value: string) {}
}
export class Hover {
  constructor(
    readonly contents: MarkdownString,
    readonly range?: Range,
  ) {}
}
export class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  event = (l: (e: T) => void) => {
    this.listeners.push(l);
    return { dispose: () => {} };
  };
  fire(e: T): void {
    this.listeners.forEach((l) => l(e));
  }
  dispose(): void {}
}
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 };
export class CancellationTokenSource {
  private cancelled = false;
  private listeners: (() => void)[] = [];
  token = {
    isCancellationRequested: false,
    onCancellationRequested: (l: () => void) => {
      this.listeners.push(l);
      return { dispose: () => {} };
    },
  };
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.token.isCancellationRequested = true;
    this.listeners.forEach((l) => l());
  }
}
export const window = {
  /** Runs the task at once; tests can cancel through `lastProgressToken`. */
  withProgress<T>(
    _o: unknown,
    task: (p: { report(v: unknown): void }, t: CancellationTokenSource['token']) => Promise<T>,
  ): Promise<T> {
    const source = new CancellationTokenSource();
    fake.lastProgress = source;
    return task({ report: (v) => fake.progressReports.push(v) }, source.token);
  },
};
/** Files of fake non-`file:` schemes, by URI string: what `workspace.fs` serves (tests fill it). */
export const fakeFiles = new Map<string, Uint8Array>();
export const workspace = {
  fs: {
    async stat(uri: { toString(): string }) {
      const bytes = fakeFiles.get(uri.toString());
      if (!bytes) throw new Error(`no such fake file ${uri.toString()}`);
      return { type: 1, size: bytes.length, ctime: 0, mtime: 0 };
    },
    async readFile(uri: { toString(): string }) {
      const bytes = fakeFiles.get(uri.toString());
      if (!bytes) throw new Error(`no such fake file ${uri.toString()}`);
      fake.fsReads.push(uri.toString());
      return bytes.slice(); // a fresh copy, as the real API hands out
    },
  },
  onDidCloseTextDocument: () => ({ dispose: () => {} }),
  onDidChangeTextDocument: () => ({ dispose: () => {} }),
  onDidOpenTextDocument: () => ({ dispose: () => {} }),
  textDocuments: [] as unknown[],
};
/** What activate() registered: command ids, webview serializers, custom editors, hover providers. */
export const registered = { commands: [] as string[], serializers: [] as string[], editors: [] as string[], hovers: 0 };
const disposable = () => ({ dispose: () => {} });
export const commands = {
  registerCommand: (id: string) => (registered.commands.push(id), disposable()),
};
export const languages = {
  registerHoverProvider: () => (registered.hovers++, disposable()),
  setTextDocumentLanguage: async () => {},
};
export const Uri = {
  joinPath: (base: { fsPath: string }, ...parts: string[]) => ({ fsPath: [base.fsPath, ...parts].join('/') }),
};
export const StatusBarAlignment = { Left: 1, Right: 2 };
export const ViewColumn = { Active: -1, One: 1 };
Object.assign(window, {
  registerWebviewPanelSerializer: (viewType: string) => (registered.serializers.push(viewType), disposable()),
  registerCustomEditorProvider: (viewType: string) => (registered.editors.push(viewType), disposable()),
  createStatusBarItem: () => ({ show() {}, hide() {}, dispose() {} }),
  onDidChangeActiveTextEditor: disposable,
  activeTextEditor: undefined,
});
export const fake = {
  lastProgress: null as CancellationTokenSource | null,
  progressReports: [] as unknown[],
  warnings: [] as string[],
  fsReads: [] as string[],
};
Object.assign(window, { showWarningMessage: async (m: string) => void fake.warnings.push(m) });

/** A URI of any scheme, with what the extension reads of one. */
export function fakeUri(scheme: string, path: string) {
  const text = scheme === 'file' ? `file://${path}` : `${scheme}:${path}`;
  return { scheme, fsPath: path, path, toString: () => text };
}

/** A text document over a string, with what the providers read. */
export function fakeDocument(
  text: string,
  path = '/tmp/fake.report.txt',
  version = 1,
  state: { scheme?: string; isDirty?: boolean; isUntitled?: boolean } = {},
) {
  const lines = text.split('\n');
  return {
    uri: fakeUri(state.scheme ?? 'file', path),
    version,
    isDirty: state.isDirty ?? false,
    isUntitled: state.isUntitled ?? false,
    languageId: 'kvm-trace',
    lineCount: lines.length,
    getText: () => text,
    lineAt(i: number) {
      const t = lines[i];
      return { text: t, range: new Range(i, 0, i, t.length) };
    },
  };
}

let installed = false;
export function installFakeVscode(): void {
  if (installed) return;
  installed = true;
  const m = Module as unknown as { _resolveFilename: (req: string, ...rest: unknown[]) => string };
  const original = m._resolveFilename;
  m._resolveFilename = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return __filename;
    return original.call(this, request, ...rest);
  };
}
