// Webview entry for every KVM Trace Lens panel. Messages are validated (src/shared) before anything is rendered;
// the last view is kept in the webview state so VS Code can restore the panel after a reload.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { isHostMessage, isPanelState, type HostMessage, type WebviewMessage } from '../src/shared/messages';
import { Channel, type Envelope } from '../src/shared/rpc';
import type { AnalysisView, CompareView } from '../src/shared/views';
import { renderAnalysis, type Actions } from './analysisView';
import { destroyCharts } from './charts';
import { renderCompare } from './compareView';
import { clear, el } from './dom';
import { onThemeChange } from './theme';
import { eventsTab } from './eventsTab';

interface VsCodeApi {
  postMessage(m: Envelope<WebviewMessage>): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;
let current: AnalysisView | CompareView | null = null;

const host = new Channel<WebviewMessage, HostMessage>({
  post: (envelope) => vscode.postMessage(envelope),
  accept: isHostMessage, // not ours, or not the shape we render: dropped
  onMessage: (m) => {
    if (m.type === 'analysis' || m.type === 'compare') render(m.view);
    else if (m.type === 'busy') message('busy', m.text);
    else if (m.type === 'error') message('error', m.message);
    else if (m.type === 'events.status') events.status(m);
  },
});
// the trace.dat editor's Events tab; once there, exit reasons in the analysis link to their events
const events = eventsTab(host, root, () => {
  if (current) render(current);
});

const actions: Actions = {
  reveal: (input, lines) => host.send({ type: 'reveal', input, lines: lines.slice(0, 50) }),
  copySetting: (setting) => host.send({ type: 'copySetting', setting }),
  exportAs: (format) => host.send({ type: 'export', format }),
  showEvents: (reason) => events.showExit(reason),
};

function render(view: AnalysisView | CompareView): void {
  current = view;
  // partial results re-render the panel every half second: keep the reader where they are
  const scroll = { x: window.scrollX, y: window.scrollY };
  destroyCharts();
  clear(root);
  root.setAttribute('aria-busy', 'false');
  if (view.kind === 'analysis') {
    root.dataset.testid = 'analysis-panel';
    // "reading" while partial results arrive, "partial" when cancelled, "final" for a whole analysis
    root.dataset.state = view.partial ? (view.partial.state === 'reading' ? 'reading' : 'partial') : 'final';
    const drawCharts = renderAnalysis(root, view, events.available ? actions : { ...actions, showEvents: undefined });
    drawCharts();
    window.scrollTo(scroll.x, scroll.y);
  } else {
    root.dataset.testid = 'compare-panel';
    renderCompare(root, view);
  }
  vscode.setState({ view });
}

function message(kind: 'busy' | 'error', text: string): void {
  clear(root);
  root.setAttribute('aria-busy', kind === 'busy' ? 'true' : 'false');
  root.dataset.state = kind;
  root.append(
    el('div', { class: kind === 'busy' ? 'busy' : 'banner error', role: kind === 'error' ? 'alert' : 'status' }, text),
  );
}

window.addEventListener('message', (e: MessageEvent<unknown>) => host.receive(e.data));

onThemeChange(() => {
  if (current) render(current);
});

const saved = vscode.getState();
if (isPanelState(saved)) render(saved.view);
host.send({ type: 'ready' });
