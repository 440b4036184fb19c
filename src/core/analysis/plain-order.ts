/** Plain code-unit order: the same on every machine and locale, unlike localeCompare. */
export function byPlainOrder(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
