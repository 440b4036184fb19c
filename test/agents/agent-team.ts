import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectToServer, type ServerConnection } from '../helpers/stdio-server.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';
import { startScriptedModelServer, type ScriptedModelServer, type ScriptedModelServerOptions } from './scripted-model-server.js';

const bin = (name: string) => fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url));

/** The agent CLIs this project installs as dev dependencies, by agent kind. */
export const agentCommands = { codex: bin('codex'), claude: bin('claude'), gemini: bin('gemini') } as const;

export interface AgentHome {
  /** HOME for the agents: settings in it, nothing of the real user's. */
  home: string;
  remove(): void;
}

/** A throwaway home folder holding what each CLI needs to talk to the scripted model offline. */
export function createAgentHome(): AgentHome {
  const home = mkdtempSync(join(tmpdir(), 'ap-agent-home-'));
  mkdirSync(join(home, '.codex'), { recursive: true });
  mkdirSync(join(home, 'tmp'), { recursive: true });
  mkdirSync(join(home, '.gemini'), { recursive: true });
  // Without an explicit auth type, a base URL makes Gemini CLI pick a gateway auth that is refused.
  writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }));
  return { home, remove: () => rmSync(home, { recursive: true, force: true }) };
}

/**
 * team.json workers for the real CLIs pointed at the scripted model endpoint: Codex through a
 * custom model provider, Claude Code through ANTHROPIC_BASE_URL, Gemini CLI through
 * GOOGLE_GEMINI_BASE_URL, each with a dummy key and its own throwaway home. Codex gets a TMPDIR
 * of its own: with bubblewrap installed it cannot run commands when CODEX_HOME is inside TMPDIR,
 * as a home made in the temporary folder is.
 */
export function agentWorkers(modelUrl: string, home: string, options: { codex?: Record<string, unknown>; claude?: Record<string, unknown>; gemini?: Record<string, unknown> } = {}) {
  return {
    codex: {
      id: 'codex-1',
      agent: 'codex',
      command: agentCommands.codex,
      model: 'mock-model',
      args: [
        '-c', 'model_provider="mock"',
        '-c', 'model_providers.mock.name="mock"',
        '-c', `model_providers.mock.base_url="${modelUrl}/v1"`,
        '-c', 'model_providers.mock.wire_api="responses"',
        '-c', 'model_providers.mock.supports_websockets=false',
      ],
      env: { HOME: home, CODEX_HOME: join(home, '.codex'), TMPDIR: join(home, 'tmp'), OPENAI_API_KEY: 'dummy-key' },
      timeoutSeconds: 120,
      ...options.codex,
    },
    claude: {
      id: 'claude-1',
      agent: 'claude',
      command: agentCommands.claude,
      model: 'claude-sonnet-4-5',
      args: ['--allowedTools', 'Bash'],
      env: { HOME: home, ANTHROPIC_BASE_URL: modelUrl, ANTHROPIC_API_KEY: 'dummy-key', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
      timeoutSeconds: 120,
      ...options.claude,
    },
    gemini: {
      id: 'gemini-1',
      agent: 'gemini',
      command: agentCommands.gemini,
      model: 'gemini-2.5-flash',
      args: ['--approval-mode', 'yolo'],
      env: { HOME: home, GOOGLE_GEMINI_BASE_URL: modelUrl, GEMINI_API_KEY: 'dummy-key' },
      timeoutSeconds: 120,
      ...options.gemini,
    },
  };
}

/** The AP prompt starts with the objective's id: the scripted model picks its script by it. */
export function objectiveIdIn(prompt: string): string | undefined {
  return /TASK_ID: (\S+)/.exec(prompt)?.[1];
}

/** What a well-behaved agent says at the end, in the AP reply format. */
export function apReply(summary: string, commit: string): string {
  return `STATUS=COMPLETED\n### Change Summary\n- ${summary}\n### Test Status\nnot run\n### Commit Message\n${commit}`;
}

/** What an agent test works with: a repository with a team, its server, a home, maybe a model. */
export interface AgentTestBed {
  repo: TempRepo;
  home: AgentHome;
  model: ScriptedModelServer | undefined;
  server: ServerConnection;
  close(): Promise<void>;
}

/**
 * A temp repository holding `files` and the team.json `team` makes (given the scripted model's
 * URL, when `model` options are given, and the agents' home), and the stdio server on it.
 */
export async function startAgentTestBed(options: { files: Record<string, string>; team: (modelUrl: string, home: string) => unknown; model?: ScriptedModelServerOptions }): Promise<AgentTestBed> {
  const model = options.model ? await startScriptedModelServer(options.model) : undefined;
  const home = createAgentHome();
  const repo = createTempRepo(options.files);
  repo.write('team.json', JSON.stringify(options.team(model?.url ?? 'http://127.0.0.1:9', home.home)));
  const server = await connectToServer({ repo: repo.root });
  return {
    repo,
    home,
    model,
    server,
    close: async () => {
      await server.close();
      await model?.close();
      home.remove();
      repo.remove();
    },
  };
}
