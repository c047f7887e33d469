// `export --perfetto`: reads each input through the one input path (streaming) and writes the JSON trace events to a
// file as they come, with synchronous writes so that a slow disk slows the reader instead of queueing text in memory.
import { closeSync, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { readInputFile, type InputSummary, type ReadOptions } from '../input';
import { modelFeed } from './modelFacts';
import { InputExporter } from './perfetto';
import { TraceEventWriter, type WrittenCounts } from './traceEventWriter';

export interface PerfettoExportResult {
  inputs: InputSummary[];
  /** Trace events read, over all inputs. */
  events: number;
  written: WrittenCounts;
}

/** Writes `{"traceEvents":[…]}` for the trace events of `paths` to `outPath`. Throws only when the output fails. */
export async function exportPerfetto(
  paths: readonly string[],
  outPath: string,
  options: ReadOptions = {},
): Promise<PerfettoExportResult> {
  const fd = openSync(outPath, 'w');
  try {
    const writer = new TraceEventWriter((text) => writeSync(fd, text));
    let flowId = 0;
    let pid = 0;
    let events = 0;
    const inputs: InputSummary[] = [];
    for (const path of paths) {
      // Processes per input and buffer (guest CPUs, host vCPUs): inputs never share a track.
      const exporter = new InputExporter(
        writer,
        modelFeed(),
        basename(path),
        () => ++pid,
        () => ++flowId,
      );
      const summary = await readInputFile(
        path,
        (r) => {
          if (r.type !== 'event') return;
          events++;
          exporter.add(r);
        },
        options,
      );
      exporter.finish();
      inputs.push(summary);
    }
    writer.end();
    return { inputs, events, written: writer.counts };
  } finally {
    closeSync(fd);
  }
}
