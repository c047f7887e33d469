// The panels restored after a window reload, and the readonly trace.dat editor.
import * as vscode from 'vscode';
import {
  ANALYSIS_VIEW_TYPE,
  COMPARE_VIEW_TYPE,
  PanelSerializer,
  TRACE_DAT_EDITOR,
  TraceDatEditorProvider,
} from '../panels';
import type { Services } from '../services';

export function register(s: Services): void {
  s.context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(ANALYSIS_VIEW_TYPE, new PanelSerializer(s.host, 'analysis')),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, new PanelSerializer(s.host, 'compare')),
    vscode.window.registerCustomEditorProvider(TRACE_DAT_EDITOR, new TraceDatEditorProvider(s.host), {
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }),
  );
}
