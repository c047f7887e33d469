// Runs an analysis for a panel opened in its "reading" state; a cancel or failure is shown in the panel too.
import { CancelledError } from '../analysisService';
import type { AnalysisPanel } from '../panels';

export async function showWhileReading<T>(panel: AnalysisPanel, name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof CancelledError) panel.cancelled(e.partial, e.fraction);
    else panel.failed(`Could not read ${name}: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
}
