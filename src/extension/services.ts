// What every feature of the extension shares: the analysis worker, the per-document analyses, the runs made in this
// session and the panel host. Built once in activate() and handed to each feature's register().
import * as vscode from 'vscode';
import { baseName } from '../presentation/analysisView';
import type { Analysis } from '../core/index';
import { AnalysisWorker, CancelledError, DocumentAnalyses } from './analysisService';
import { exportAnalysis } from './saveExport';
import { LANGUAGE_IDS } from './languages';
import { RunStore, type PanelHost } from './panels';
import { EventsWorker } from './traceDatEvents';

export interface Services {
  context: vscode.ExtensionContext;
  worker: AnalysisWorker;
  analyses: DocumentAnalyses;
  runs: RunStore;
  host: PanelHost;
}

export const TRACE_LANGUAGES: readonly string[] = LANGUAGE_IDS;

export function createServices(context: vscode.ExtensionContext): Services {
  const worker = new AnalysisWorker(vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath);
  const analyses = new DocumentAnalyses(worker);
  const runs = new RunStore();
  const events = new EventsWorker(vscode.Uri.joinPath(context.extensionUri, 'dist', 'eventsWorker.js').fsPath);
  context.subscriptions.push(worker, analyses, events);
  const host: PanelHost = { extensionUri: context.extensionUri, worker, runs, events, exportAnalysis };
  return { context, worker, analyses, runs, host };
}

function reportFailure(e: unknown): void {
  if (e instanceof CancelledError) return;
  void vscode.window.showErrorMessage(`KVM Trace Lens: ${e instanceof Error ? e.message : String(e)}`);
}

/** Registers a command whose failures are shown to the user (a cancel is not a failure). */
export function registerCommand(s: Services, id: string, run: (...args: unknown[]) => Promise<void>): void {
  const command = vscode.commands.registerCommand(id, (...args: unknown[]) => run(...args).catch(reportFailure));
  s.context.subscriptions.push(command);
}

/** Tells the user when an analysis found nothing usable, with the reader's own words. */
export function warnUnusable(a: Analysis): void {
  const broken = a.inputs.filter((i) => i.error);
  if (broken.length > 0 && broken.length === a.inputs.length) {
    const reasons = broken.map((i) => `${baseName(i.path)}: ${i.error}`).join('; ');
    void vscode.window.showWarningMessage(`KVM Trace Lens: ${reasons}`);
  }
}
