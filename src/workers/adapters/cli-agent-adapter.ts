import { parseWorkerReply } from '../../core/worker-reply/worker-reply.js';
import { workerEnvironment, type WorkerConfig } from '../../config/worker-config.js';
import type { Logger } from '../../logger.js';
import { activity, type Activity } from '../activity.js';
import { ManagedProcess, type ExitInfo } from '../process/managed-process.js';
import type { Assignment, AttemptResult, EarlierSession, ProcessObserver, WorkerAdapter } from '../worker-adapter.js';
import { isAuthFailure, pathInWorktree, type AgentCliSpec, type StreamState } from './agents/agent-cli-spec.js';

/** A line longer than this is not an event anyone can use: it is skipped and counted. */
const maxLineBytes = 16 * 1024 * 1024;
/** How much of stderr is kept to explain a failure. */
const stderrTailBytes = 8 * 1024;

/**
 * A headless agent CLI as a worker: one process per attempt, started in the objective's
 * worktree, its JSONL stdout read line by line into activities and an outcome. A malformed line is
 * skipped and counted, never fatal; a timeout or a cancel stops the whole process group.
 */
export class CliAgentAdapter implements WorkerAdapter {
  private readonly running = new Set<ManagedProcess>();
  private stopped = false;
  /** Whether the agent can run commands here, checked once per worker and run. */
  private commandCheck: Promise<string | null> | undefined;

  constructor(
    readonly config: WorkerConfig,
    private readonly spec: AgentCliSpec,
    private readonly observer: ProcessObserver,
    private readonly log: Logger,
  ) {}

  get pids(): readonly number[] {
    return [...this.running].filter((process) => !process.hasExited && process.pid !== undefined).map((process) => process.pid!);
  }

  /** Checks ahead of the first objective that the agent can run commands (Codex's sandbox). */
  async start(): Promise<void> {
    await this.checkCommands();
  }

  private checkCommands(): Promise<string | null> {
    const check = this.spec.checkCommands;
    if (!check) return Promise.resolve(null);
    this.commandCheck ??= check({ command: this.config.command, extraArgs: this.config.args, env: this.environment(), workerId: this.config.id }).catch((error: unknown) => {
      this.log.warn(`worker ${this.config.id}: could not check that ${this.spec.displayName} can run commands`, error);
      return null;
    });
    return this.commandCheck;
  }

  private environment(): Record<string, string> {
    return { ...this.spec.environment, ...workerEnvironment(this.config) };
  }

  async run(assignment: Assignment): Promise<AttemptResult> {
    if (this.stopped) return failure('cancelled', `Worker "${this.config.id}" has been stopped.`);
    const problem = await this.checkCommands();
    if (problem) return failure('failed', problem);
    const earlier = assignment.sessions?.get(this.config.agent);
    const { result, sessionMissing } = await this.attempt(assignment, earlier);
    // A session the agent no longer has (another HOME, cleaned up): the attempt starts afresh.
    if (earlier && sessionMissing) return (await this.attempt(assignment, undefined)).result;
    return result;
  }

  private async attempt(assignment: Assignment, earlier: EarlierSession | undefined): Promise<{ result: AttemptResult; sessionMissing: boolean }> {
    const output = { stderr: '' };
    const result = await this.runOnce(assignment, earlier, output);
    // Only an agent that never got to work says so; its words may be on stderr only (Claude Code).
    const said = `${result.error ?? ''} ${output.stderr}`;
    return { result, sessionMissing: earlier !== undefined && result.outcome === 'failed' && !result.replyText && resumeRefused(said) };
  }

  /** One run of the agent; `output.stderr` keeps the end of what it wrote to stderr. */
  private async runOnce(assignment: Assignment, earlier: EarlierSession | undefined, output: { stderr: string }): Promise<AttemptResult> {
    const resumeSession = earlier?.id;
    const prompt = resumeSession
      ? `Your earlier attempt at this objective was discarded: the working directory is back at its starting point. Carry out the objective again.\n\n${assignment.prompt}`
      : assignment.prompt;
    const { args, stdin } = this.spec.commandLine({ prompt, cwd: assignment.cwd, model: this.config.model, resumeSession, extraArgs: this.config.args });
    const state: StreamState = { completed: false, cwd: assignment.cwd, resumedUsage: earlier?.usage };
    let malformed = 0;
    const name = `${this.spec.displayName} (worker "${this.config.id}")`;

    let process: ManagedProcess;
    try {
      process = await ManagedProcess.start({
        command: this.config.command,
        args,
        cwd: assignment.cwd,
        env: this.environment(),
        onStderr: (chunk) => {
          output.stderr = (output.stderr + chunk).slice(-stderrTailBytes);
        },
      });
    } catch (error) {
      // Some failures come at once from the spawn call rather than as an `error` event.
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'E2BIG' ? 'its command line is longer than the system allows (E2BIG); pass less in "args" or a shorter prompt' : (error as Error).message;
      return failure('failed', `${name} could not start: ${why}.`);
    }
    this.running.add(process);
    const pid = process.pid;
    if (pid !== undefined) this.observer.started(this.config.id, pid, this.config.command);
    let spawnError: Error | undefined;
    process.child.once('error', (error) => (spawnError = error));
    const lines = readLines(process, (line) => {
      if (!line.trim()) return;
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        malformed += 1;
        this.log.debug(`worker ${this.config.id}: skipped a line that is not JSON: ${line.slice(0, 200)}`);
        return;
      }
      if (typeof event !== 'object' || event === null || Array.isArray(event)) {
        malformed += 1;
        return;
      }
      for (const item of this.spec.interpret(event as Record<string, unknown>, state)) assignment.onActivity(insideWorktree(item, assignment.cwd));
      if (state.stop) void process.stop({ graceMs: 0, termMs: 2_000 });
    }, () => (malformed += 1));
    if (stdin !== undefined) process.child.stdin.end(stdin);
    else process.child.stdin.end();

    const timedOut = AbortSignal.timeout(assignment.timeoutMs);
    const stop = () => void process.stop({ graceMs: 0, termMs: 3_000 });
    timedOut.addEventListener('abort', stop, { once: true });
    assignment.signal.addEventListener('abort', stop, { once: true });
    let exit: ExitInfo;
    try {
      if (assignment.signal.aborted) stop();
      exit = await process.exited;
      // The group may hold children that outlive the agent (a dev server it started): they go too.
      await process.stop({ graceMs: 0, termMs: 1_000 });
      await lines;
    } finally {
      timedOut.removeEventListener('abort', stop);
      assignment.signal.removeEventListener('abort', stop);
      this.running.delete(process);
      if (pid !== undefined) this.observer.exited(this.config.id, pid);
    }

    const base = { sessionId: state.sessionId, usage: state.usage, malformedLines: malformed > 0 ? malformed : undefined };
    const malformedNote = malformed > 0 ? ` (${malformed} output line(s) were not JSON events and were skipped)` : '';
    if (malformed > 0) assignment.onActivity(activity('error', `${malformed} output line(s) from ${this.spec.displayName} were not JSON events and were skipped.`, { source: 'jsonl' }));

    if (spawnError) {
      const missing = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
      const message = missing
        ? `${name} could not start: "${this.config.command}" is not installed or not on PATH. Install it (${this.spec.installHint}) or set "command" in team.json.`
        : `${name} could not start: ${spawnError.message}.`;
      return { ...failure('failed', message), ...base };
    }
    if (assignment.signal.aborted) return { ...failure('cancelled', 'The run was cancelled.'), ...base };
    if (timedOut.aborted) {
      const last = state.lastError ? ` Its last error: ${state.lastError}` : '';
      return { ...failure('timeout', `${name} did not finish within ${Math.round(assignment.timeoutMs / 1000)} s.${last}`), ...base };
    }

    const replyText = state.finalText ?? '';
    const reply = parseWorkerReply(replyText);
    if (state.failure) {
      const message = state.authFailure
        ? `${name} has no working credentials: ${state.failure.trim()}. ${this.spec.authHint}`
        : `${name} failed: ${state.failure.trim()}`;
      return { outcome: 'failed', replyText, reply, error: message + malformedNote, ...base };
    }
    if (exit.signal || exit.code !== 0) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      const detail = lastLines(output.stderr) || state.lastError;
      const auth = detail && isAuthFailure(detail) ? ` ${this.spec.authHint}` : '';
      return { outcome: exit.signal ? 'crashed' : 'failed', replyText, reply, error: `${name} ${how}${detail ? `: ${detail}` : '.'}${auth}${malformedNote}`, ...base };
    }
    if (reply.status === 'BLOCKED') return { outcome: 'blocked', replyText, reply, error: reply.reason ?? 'The worker asked for a larger scope.', ...base };
    if (reply.status === 'FAILED') return { outcome: 'failed', replyText, reply, error: reply.failureReport ?? 'The agent reported a failure.', ...base };
    if (!state.completed && !replyText) {
      return { outcome: 'failed', replyText, reply, error: `${name} exited without finishing its turn${malformedNote}.`, ...base };
    }
    return { outcome: 'completed', replyText, reply, ...base };
  }

  async stop(options: { graceMs?: number; termMs?: number } = {}): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.running].map((process) => process.stop(options)));
  }
}

/** Splits stdout into lines; settles when stdout ends. Oversized lines are dropped and counted. */
function readLines(process: ManagedProcess, onLine: (line: string) => void, onOversized: () => void): Promise<void> {
  return new Promise((resolve) => {
    let buffered: Buffer[] = [];
    let size = 0;
    let skipping = false;
    const stdout = process.child.stdout;
    stdout.on('data', (chunk: Buffer) => {
      let start = 0;
      for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, start)) {
        if (!skipping) {
          buffered.push(chunk.subarray(start, index));
          onLine(Buffer.concat(buffered).toString('utf8'));
        }
        buffered = [];
        size = 0;
        skipping = false;
        start = index + 1;
      }
      if (start < chunk.length && !skipping) {
        buffered.push(chunk.subarray(start));
        size += chunk.length - start;
        if (size > maxLineBytes) {
          skipping = true;
          buffered = [];
          size = 0;
          onOversized();
        }
      }
    });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (!skipping && size > 0) onLine(Buffer.concat(buffered).toString('utf8'));
      resolve();
    };
    stdout.once('end', finish);
    stdout.once('close', finish);
  });
}

/** What an agent says when told to resume a session it does not have. */
function resumeRefused(message: string): boolean {
  return /no rollout found for thread|no conversation found|invalid session identifier|no previous sessions found|session (id )?(\S+ )?not found/i.test(message);
}

/** Paths inside the worktree are shown relative to it, as the scopes are written. */
function insideWorktree(item: Activity, cwd: string): Activity {
  if (!item.filePath && !item.files) return item;
  return { ...item, filePath: pathInWorktree(item.filePath, cwd), files: item.files?.map((file) => pathInWorktree(file, cwd)!) };
}

function lastLines(text: string): string {
  return text.trim().split(/\r?\n/).slice(-5).join(' | ').slice(-1_000);
}

function failure(outcome: AttemptResult['outcome'], error: string): AttemptResult {
  return { outcome, replyText: '', reply: parseWorkerReply(''), error };
}
