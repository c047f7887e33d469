// Hand-made analyses (test/fixtures/extension/*.json, values chosen by hand, not produced by the model).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Analysis } from '../../src/core/analysisTypes';
import { FIXTURES } from './paths';

export function fixtureAnalysis(name: 'analysis-tcprr.json' | 'analysis-tcprr-poll.json'): Analysis {
  return JSON.parse(readFileSync(join(FIXTURES, 'extension', name), 'utf8')) as Analysis;
}
