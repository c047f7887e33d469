// The messages between the extension host and its webviews, both directions, with validators. Every message that
// crosses is checked: a webview is untrusted input for the extension, and the webview renders only the expected shape.
import { isArrayOf, isLineNumber, isObject, isString } from './guards';
import { isAnalysisView, isCompareView, type AnalysisView, type CompareView } from './views';
import { isEventListReply, isEventListRequest, isEventListStatus } from './eventListMessages';
import type { EventListReply, EventListRequest, EventListStatus } from './eventListMessages';

export type HostMessage =
  | { type: 'analysis'; view: AnalysisView }
  | { type: 'compare'; view: CompareView }
  | { type: 'busy'; text: string }
  | { type: 'error'; message: string }
  | EventListReply
  | EventListStatus;

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'reveal'; input: number; lines: number[] }
  | { type: 'copySetting'; setting: string }
  | { type: 'export'; format: 'json' | 'csv' }
  | EventListRequest;

/** Most lines one reveal may ask for (the editor selects them all). */
export const MAX_REVEAL_LINES = 50;
const MAX_TEXT = 2000;

/** Checks a message from a webview. Anything else is dropped by the caller. */
export function isWebviewMessage(m: unknown): m is WebviewMessage {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'ready':
      return true;
    case 'reveal':
      return (
        Number.isInteger(m.input) &&
        (m.input as number) >= 0 &&
        isArrayOf(m.lines, isLineNumber, MAX_REVEAL_LINES) &&
        m.lines.length > 0
      );
    case 'copySetting':
      return isString(m.setting) && m.setting.length > 0 && m.setting.length <= MAX_TEXT;
    case 'export':
      return m.format === 'json' || m.format === 'csv';
    default:
      return isEventListRequest(m);
  }
}

/** Checks a message from the extension (the webview side). */
export function isHostMessage(m: unknown): m is HostMessage {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'analysis':
      return isAnalysisView(m.view);
    case 'compare':
      return isCompareView(m.view);
    case 'busy':
      return isString(m.text);
    case 'error':
      return isString(m.message);
    default:
      return isEventListReply(m) || isEventListStatus(m);
  }
}

/** What a panel keeps across reloads (vscode.setState) and hands back to the serializer. */
export type PanelState = { view: AnalysisView } | { view: CompareView };

export function isPanelState(s: unknown): s is PanelState {
  return isObject(s) && (isAnalysisView(s.view) || isCompareView(s.view));
}
