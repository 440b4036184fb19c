/** One line of the AP log format: `[2025-10-08T10:36:45] TOOL: write_file - Writing src/x.ts`. */
export function apLogLine(type: string, description: string, tool?: string, now: Date = new Date()): string {
  const stamp = now.toISOString().slice(0, 19);
  const flat = description.replace(/\r?\n/g, ' ');
  return `[${stamp}] ${type}: ${tool ? `${tool} - ` : ''}${flat}\n`;
}
