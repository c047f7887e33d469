// KVM Trace Lens: Open Sample — opens a sample shipped in the extension and analyses it: a trace.dat in the
// extension's trace.dat editor (which analyses it and remembers the run for Compare Runs), text beside the
// Analysis panel. With a sample id as argument (the walkthrough's links) it opens that sample without asking.
import * as vscode from 'vscode';
import { BUNDLED_SAMPLES, bundledSample, type BundledSample } from '../sampleCatalog';

export const OPEN_SAMPLE_COMMAND = 'kvmTraceLens.openSample';
const TRACE_DAT_EDITOR = 'kvmTraceLens.traceDat';
const ANALYZE_ACTIVE_FILE = 'kvmTraceLens.analyzeActiveFile';

async function pickSample(): Promise<BundledSample | null> {
  const picked = await vscode.window.showQuickPick(
    BUNDLED_SAMPLES.map((sample) => ({ label: sample.label, detail: sample.detail, sample })),
    { title: 'KVM Trace Lens: Open Sample', placeHolder: 'A recorded or published capture to analyse' },
  );
  return picked?.sample ?? null;
}

async function openSample(context: vscode.ExtensionContext, idArg?: unknown): Promise<void> {
  const sample = idArg === undefined ? await pickSample() : bundledSample(idArg);
  if (!sample) {
    if (idArg !== undefined) void vscode.window.showErrorMessage(`KVM Trace Lens: no sample "${String(idArg)}".`);
    return;
  }
  const uri = vscode.Uri.joinPath(context.extensionUri, 'samples', ...sample.path.split('/'));
  if (sample.opensIn === 'trace-dat-editor') {
    await vscode.commands.executeCommand('vscode.openWith', uri, TRACE_DAT_EDITOR);
    return;
  }
  await vscode.window.showTextDocument(uri, { preview: false });
  await vscode.commands.executeCommand(ANALYZE_ACTIVE_FILE, uri);
}

export function register(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(OPEN_SAMPLE_COMMAND, (idArg?: unknown) =>
      openSample(context, idArg).catch((e: unknown) => {
        void vscode.window.showErrorMessage(`KVM Trace Lens: cannot open the sample: ${(e as Error).message}`);
      }),
    ),
  );
}
