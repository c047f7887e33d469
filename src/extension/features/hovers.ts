// Hovers on trace lines: what the event is, its facts in this run, and its exit reason's figures.
import * as vscode from 'vscode';
import { TraceHoverProvider } from '../hover';
import type { Services } from '../services';

export function register(s: Services): void {
  const provider = new TraceHoverProvider(s.analyses, s.worker);
  s.context.subscriptions.push(vscode.languages.registerHoverProvider([{ language: 'kvm-trace' }], provider));
}
