/** Escapes text for a markdown table cell. */
export function cell(text: string | number): string {
  return String(text).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function codeList(items: readonly string[], limit = 20): string {
  if (items.length === 0) return '(none)';
  const shown = items.slice(0, limit).map((item) => `\`${item}\``).join(', ');
  return items.length > limit ? `${shown} and ${items.length - limit} more` : shown;
}
