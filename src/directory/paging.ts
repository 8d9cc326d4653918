// Page sizes for directory listings: a whole number within [min, max], or the fallback when
// absent or not a finite number.
export function wholeNumber(value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(Math.max(Math.trunc(value), min), max);
}
