// The order a multi-select pick was made in. VS Code reports a multi-select quick pick's selection in list order;
// Compare Runs needs the click order, because the first run picked is the baseline.

/** The selection in click order: items still selected keep their place, newly selected ones go last. */
export function inClickOrder<T>(previous: readonly T[], selected: readonly T[]): T[] {
  const kept = previous.filter((p) => selected.includes(p));
  return [...kept, ...selected.filter((s) => !kept.includes(s))];
}
