// KVM Trace Lens: Record a Trace… — asks side, duration and benchmark, runs `record` in a terminal (with sudo: it
// needs root for tracefs; the terminal asks for the password), and opens the analysis once the run folder has it.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRecordInvocation, runFolderName, secondsProblem } from '../recordArgs';

export const RECORD_COMMAND = 'kvmTraceLens.recordTrace';
const ANALYZE_ACTIVE_FILE = 'kvmTraceLens.analyzeActiveFile';
const POLL_MS = 1000;

async function ask(): Promise<{ side: 'guest' | 'host'; seconds: number; benchmark: string } | null> {
  const side = await vscode.window.showQuickPick(
    [
      { label: 'Guest', value: 'guest' as const, description: 'inside the VM: MSR writes, idle, IPIs, scheduler' },
      {
        label: 'Host',
        value: 'host' as const,
        description: 'on the hypervisor: kvm_exit/kvm_entry, wake-ups, halt polling',
      },
    ],
    { title: 'Record a Trace: which side is this machine?', placeHolder: 'Side' },
  );
  if (!side) return null;
  const seconds = await vscode.window.showInputBox({
    title: 'Record a Trace: how long (seconds)? With a benchmark, at most this long.',
    value: '10',
    validateInput: secondsProblem,
  });
  if (seconds === undefined) return null;
  const benchmark = await vscode.window.showInputBox({
    title: 'Record a Trace: benchmark to run alongside (empty for none)',
    placeHolder: 'netperf -H 127.0.0.1 -t TCP_RR -l 10',
  });
  if (benchmark === undefined) return null;
  return { side: side.value, seconds: Number(seconds), benchmark };
}

/** Opens the analysis when record has written it, until the terminal closes or an hour passes. */
function openWhenDone(analysisJson: string, terminal: vscode.Terminal, context: vscode.ExtensionContext): void {
  const started = Date.now();
  const timer = setInterval(() => {
    if (existsSync(analysisJson)) {
      stop();
      void vscode.commands.executeCommand(ANALYZE_ACTIVE_FILE, vscode.Uri.file(analysisJson));
    } else if (Date.now() - started > 3600_000) stop();
  }, POLL_MS);
  const closed = vscode.window.onDidCloseTerminal((t) => {
    if (t === terminal && !existsSync(analysisJson)) stop();
  });
  const stop = () => {
    clearInterval(timer);
    closed.dispose();
  };
  context.subscriptions.push({ dispose: stop });
}

export function register(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(RECORD_COMMAND, async () => {
      const answers = await ask();
      if (!answers) return;
      const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? tmpdir();
      const invocation = buildRecordInvocation({
        ...answers,
        outDir: join(base, 'kvm-trace-lens-runs', runFolderName(answers.side, new Date())),
        nodeExecutable: process.execPath,
        cliPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath,
        useSudo: process.getuid?.() !== 0,
      });
      const terminal = vscode.window.createTerminal({ name: 'KVM Trace Lens: record' });
      terminal.show();
      terminal.sendText(invocation.commandLine);
      openWhenDone(invocation.analysisJson, terminal, context);
    }),
  );
}
