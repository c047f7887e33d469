// KVM Trace Lens extension entry: each feature registers itself (languages by content, hovers, panels, status bar,
// one file per command) on the services they share.
import type * as vscode from 'vscode';
import * as analyzeActiveFile from './commands/analyzeActiveFile';
import * as analyzeFile from './commands/analyzeFile';
import * as compareRuns from './commands/compareRuns';
import * as copySetting from './commands/copySetting';
import * as exportAnalysis from './commands/exportAnalysis';
import * as openSample from './commands/openSample';
import * as recordTrace from './commands/recordTrace';
import * as hovers from './features/hovers';
import * as panels from './features/panels';
import * as statusBar from './features/statusBar';
import { registerLanguageDetection } from './languageDetection';
import { createServices, type Services } from './services';

const FEATURES: readonly { register(s: Services): void }[] = [
  { register: (s) => registerLanguageDetection(s.context) },
  hovers,
  panels,
  statusBar,
  analyzeActiveFile,
  analyzeFile,
  compareRuns,
  exportAnalysis,
  copySetting,
  { register: (s) => openSample.register(s.context) },
  { register: (s) => recordTrace.register(s.context) },
];

export function activate(context: vscode.ExtensionContext): void {
  const services = createServices(context);
  for (const feature of FEATURES) feature.register(services);
}

export function deactivate(): void {}
