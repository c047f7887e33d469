// Shape checks for what crosses a message channel (webview ↔ extension host ↔ worker).

export type Guard<T> = (v: unknown) => v is T;

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export const isString: Guard<string> = (v): v is string => typeof v === 'string';
export const isFiniteNumber: Guard<number> = (v): v is number => typeof v === 'number' && Number.isFinite(v);
export const isNullableNumber = (v: unknown): v is number | null => v === null || isFiniteNumber(v);
export const isNullableString = (v: unknown): v is string | null => v === null || isString(v);
export function isLineNumber(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 1;
}
export function isArrayOf<T>(v: unknown, guard: Guard<T>, max = Infinity): v is T[] {
  return Array.isArray(v) && v.length <= max && v.every((x) => guard(x));
}
