/**
 * Small helpers over glob text. A scope glob is split into path segments so that two
 * globs can be compared segment by segment; a segment is `**` (any number of segments)
 * or a pattern that matches exactly one segment.
 */

const magicCharacters = /[*?[\]{}]|[@!+*?]\(/;

export function isMagicSegment(segment: string): boolean {
  return magicCharacters.test(segment);
}

/**
 * Splits on `/` outside brackets, braces and parentheses. Returns null when a `/` sits inside
 * one (e.g. `{a/b,c}`): such a glob cannot be compared segment-wise, so callers stay conservative.
 */
export function splitGlobSegments(pattern: string): string[] | null {
  const segments: string[] = [];
  let depth = 0;
  let current = '';
  let unsplittable = false;
  for (const character of pattern) {
    if (character === '[' || character === '{' || character === '(') depth += 1;
    else if ((character === ']' || character === '}' || character === ')') && depth > 0) depth -= 1;
    if (character === '/') {
      if (depth > 0) unsplittable = true;
      else {
        segments.push(current);
        current = '';
        continue;
      }
    }
    current += character;
  }
  segments.push(current);
  return unsplittable ? null : segments;
}

/** Returns a description of the first syntax error, or null when the glob is well formed. */
export function globSyntaxError(pattern: string): string | null {
  const closers: Record<string, string> = { '[': ']', '{': '}', '(': ')' };
  const stack: string[] = [];
  for (const character of pattern) {
    if (character === '[' || character === '{' || character === '(') stack.push(character);
    else if (character === ']' || character === '}' || character === ')') {
      const open = stack.pop();
      if (open === undefined || closers[open] !== character) return `unbalanced \`${character}\``;
    }
  }
  if (stack.length > 0) return `unclosed \`${stack[stack.length - 1]}\``;
  for (const segment of pattern.split('/')) {
    if (segment.includes('**') && segment !== '**') return `\`**\` must be a whole path segment (found \`${segment}\`)`;
  }
  return null;
}

/** The literal text before the first magic character of a one-segment pattern. */
export function literalPrefix(segment: string): string {
  const index = segment.search(magicCharacters);
  return index === -1 ? segment : segment.slice(0, index);
}

/** The literal text after the last magic character of a one-segment pattern. */
export function literalSuffix(segment: string): string {
  let end = segment.length;
  for (let index = segment.length - 1; index >= 0; index -= 1) {
    const character = segment[index]!;
    if ('*?]})'.includes(character)) break;
    end = index;
  }
  return segment.slice(end);
}
