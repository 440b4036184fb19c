import type { AgentCliSpec, CliAgentKind } from './agent-cli-spec.js';
import { claudeSpec } from './claude.js';
import { codexSpec } from './codex.js';
import { cursorSpec } from './cursor.js';
import { droidSpec } from './droid.js';
import { geminiSpec } from './gemini.js';

/** Every agent CLI the orchestrator drives, by agent kind. */
export const agentSpecs: Readonly<Record<CliAgentKind, AgentCliSpec>> = {
  codex: codexSpec,
  claude: claudeSpec,
  gemini: geminiSpec,
  cursor: cursorSpec,
  droid: droidSpec,
};

export function specFor(agent: string): AgentCliSpec | undefined {
  return Object.hasOwn(agentSpecs, agent) ? agentSpecs[agent as CliAgentKind] : undefined;
}
