/**
 * The one activity model every worker's output is normalized into, whatever its transport:
 * MCP progress, an agent's JSONL stream, or a log file.
 */
export const activityKinds = ['tool_use', 'command', 'file_change', 'message', 'reasoning', 'testing', 'usage', 'error', 'completed', 'failed'] as const;
export type ActivityKind = (typeof activityKinds)[number];

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** In US dollars, when the agent reports it. */
  costUsd?: number;
}

export interface Activity {
  kind: ActivityKind;
  /** ISO timestamp of when it happened (or was seen). */
  timestamp: string;
  description: string;
  toolName?: string;
  /** The main file the activity is about, repo-relative when it can be made so. */
  filePath?: string;
  files?: string[];
  command?: string;
  exitCode?: number | null;
  usage?: TokenUsage;
  /** Where it came from: `mcp`, `jsonl`, `log`. */
  source: string;
}

export function activity(kind: ActivityKind, description: string, fields: Partial<Omit<Activity, 'kind' | 'description'>> = {}): Activity {
  // Fields passed as undefined must not erase the defaults.
  return { ...fields, kind, description, timestamp: fields.timestamp ?? new Date().toISOString(), source: fields.source ?? 'mcp' };
}

/** AP log lines and progress messages say `tool_name - description`; test runs look like tests. */
export function activityFromText(text: string, source: string, timestamp?: string): Activity {
  const tool = /^([A-Za-z_][\w.-]*) - (.+)$/.exec(text);
  if (tool) {
    const description = tool[2]!;
    return activity('tool_use', description, { toolName: tool[1]!, filePath: filePathIn(description), source, timestamp });
  }
  if (/\b(npm (run )?test|pytest|vitest|jest|go test|cargo test|running tests?)\b/i.test(text)) return activity('testing', text, { source, timestamp });
  return activity('message', text, { source, timestamp });
}

/** The first thing in a description that looks like a file path (`Editing src/auth.py`). */
export function filePathIn(text: string): string | undefined {
  const match = /(?:^|\s|`|'|")((?:[\w.-]+\/)*[\w.-]+\.[A-Za-z0-9]{1,8})(?=$|\s|`|'|"|:|,|\))/.exec(text);
  return match?.[1];
}
