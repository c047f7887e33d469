// Types for generate.mjs (used by test/scale).
export interface Recording {
  header: string[];
  events: [string, number | null, number, string][];
  /** Shift between copies: the recording's span rounded up to whole µs, plus 1 µs. */
  shiftNs: number;
  /** UTF-8 bytes of one copy of the lines after the header. */
  copyBytes: number;
  eventLines: number;
  cpus: number;
}
export function loadRecording(gzPath: string): Recording;
export function writeScaledText(rec: Recording, copies: number, out: string): Promise<void>;
export function convertToV6(datPath: string, out: string): string | null;
export function writeScaledDat(
  v6Path: string,
  cpus: number,
  shiftNs: number,
  copies: number,
  out: string,
): Promise<string | null>;
export function cached(dir: string, name: string): [string, boolean];
