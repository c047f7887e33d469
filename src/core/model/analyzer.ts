// STUB: replaced by the real model (issue 4).
import { ANALYSIS_SCHEMA, type Analysis, type AnalysisInput } from '../analysisTypes';
import type { InputSummary } from '../input';
import type { InputRecord } from '../records';
import { NO_LINE_FACTS, type LineFacts } from '../lineFacts';

export class Analyzer {
  private readonly inputs: AnalysisInput[] = [];
  beginInput(_index: number): void {}
  add(_r: InputRecord): void {}
  endInput(s: InputSummary): void {
    this.inputs.push({ path: s.path, format: s.format, records: s.records, warnings: s.warnings, error: s.error });
  }
  lineFacts(): LineFacts {
    return NO_LINE_FACTS;
  }
  finish(): Analysis {
    return { schema: ANALYSIS_SCHEMA, inputs: this.inputs, exits: null, transactions: null, benchmark: null, recommendations: [] };
  }
}
