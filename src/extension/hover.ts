// Hovers on trace lines: what the line is (core explainTraceLine), what the model found about it (critical path,
// duration), and how many lines like it the file has. Never waits for an analysis: it starts one and says so.
import * as vscode from 'vscode';
import { explainTraceLine } from '../core/index';
import type { LineFact } from '../core/index';
import type { AnalysisWorker, DocumentAnalyses } from './analysisService';
import { buildHoverMarkdown, eventNameOf, findReason, lineKey } from '../presentation/hoverText';

/** Lines longer than this are not explained (nothing useful in a hover, and it keeps hovers fast). */
const MAX_HOVER_LINE = 8192;

export class TraceHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly analyses: DocumentAnalyses,
    private readonly worker: AnalysisWorker,
  ) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | null> {
    const line = doc.lineAt(pos.line);
    if (line.text.length === 0 || line.text.length > MAX_HOVER_LINE) return null;
    let explanation: ReturnType<typeof explainTraceLine>;
    try {
      explanation = explainTraceLine(line.text);
    } catch {
      explanation = null;
    }
    const event = explanation ? null : eventNameOf(line.text);
    if (!explanation && !event) return null;

    const state = this.analyses.peek(doc);
    let status: string | null = null;
    let fact: LineFact | null = null;
    if (state.result) {
      [fact] = await this.worker.lineFacts(state.result.job, [pos.line + 1]);
    } else if (state.error) {
      status = `Analysis failed: ${state.error}`;
    } else {
      status = 'Analysing the file — hover again for its figures.';
      void this.analyses.get(doc).catch(() => {});
    }
    const analysis = state.result?.analysis ?? null;
    const key = lineKey(explanation, line.text);
    const md = buildHoverMarkdown({
      explanation,
      event,
      fact: fact ?? null,
      likeCount: key && state.result?.lineCounts ? (state.result.lineCounts[key] ?? null) : null,
      reason: findReason(analysis, key),
      status,
    });
    if (!md) return null;
    const range =
      explanation && explanation.tokenStart <= pos.character && pos.character < explanation.tokenEnd
        ? new vscode.Range(pos.line, explanation.tokenStart, pos.line, explanation.tokenEnd)
        : line.range;
    return new vscode.Hover(new vscode.MarkdownString(md), range);
  }
}
