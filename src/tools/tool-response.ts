import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * What a tool hands back. Handlers add to it; `serialize` builds the MCP result, so no
 * handler ever assembles raw protocol objects.
 */
export class ToolResponse<Result extends Record<string, unknown>> {
  private result: Result | undefined;
  private readonly lines: string[] = [];
  private errorMessage: string | undefined;

  setResult(result: Result, summary: string): void {
    this.result = result;
    this.lines.unshift(summary);
  }

  addText(text: string): void {
    this.lines.push(text);
  }

  setError(message: string): void {
    this.errorMessage = message;
  }

  get isError(): boolean {
    return this.errorMessage !== undefined;
  }

  get structured(): Result | undefined {
    return this.result;
  }

  serialize(): CallToolResult {
    if (this.errorMessage !== undefined) return { content: [{ type: 'text', text: this.errorMessage }], isError: true };
    const text = this.lines.join('\n\n') || 'Done.';
    return this.result === undefined ? { content: [{ type: 'text', text }] } : { content: [{ type: 'text', text }], structuredContent: this.result };
  }
}
