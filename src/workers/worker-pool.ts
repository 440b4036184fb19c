import type { WorkerConfig } from '../config/worker-config.js';
import type { Logger } from '../logger.js';
import { specFor } from './adapters/agents/index.js';
import { CliAgentAdapter } from './adapters/cli-agent-adapter.js';
import { McpWorkerAdapter } from './adapters/mcp-adapter.js';
import type { ProcessObserver, WorkerAdapter } from './worker-adapter.js';

export interface Lease {
  worker: WorkerAdapter;
  release(): void;
}

export interface WorkerRequest {
  /** The objective's `agent` hint: "auto", an agent kind, or a worker id. */
  agent: string;
  /** A capability the objective prefers (e.g. "scripted" for objectives with scripted edits). */
  capability?: string;
  /** Workers that already failed this objective; avoided while another eligible worker exists. */
  avoid: ReadonlySet<string>;
}

export type AdapterFactory = (config: WorkerConfig, observer: ProcessObserver) => WorkerAdapter;

interface Slot {
  adapter: WorkerAdapter | undefined;
  config: WorkerConfig;
  active: number;
  /** Objectives handed to this worker so far: spreads work when loads are equal. */
  assigned: number;
}

/**
 * The local pool: starts workers when first needed, never gives a worker more objectives than
 * its maxConcurrent, and picks by the agent hint, then capabilities, then least load. Waiting
 * requests are served in arrival order as capacity frees up.
 */
export class WorkerPool {
  private readonly slots: Slot[];
  private readonly waiting: { request: WorkerRequest; resolve: (lease: Lease) => void; reject: (error: Error) => void; signal: AbortSignal; onAbort: () => void }[] = [];
  private stopped = false;

  constructor(
    workers: readonly WorkerConfig[],
    private readonly observer: ProcessObserver,
    private readonly createAdapter: AdapterFactory,
  ) {
    this.slots = workers.filter((worker) => worker.enabled).map((config) => ({ adapter: undefined, config, active: 0, assigned: 0 }));
  }

  static withDefaultAdapters(workers: readonly WorkerConfig[], observer: ProcessObserver, log: Logger, home: string, adapters: Partial<Record<string, AdapterFactory>> = {}): WorkerPool {
    return new WorkerPool(workers, observer, (config, processObserver) => {
      const custom = adapters[config.agent];
      if (custom) return custom(config, processObserver);
      const spec = config.transport === 'jsonl' ? specFor(config.agent) : undefined;
      if (spec) return new CliAgentAdapter(config, spec, processObserver, log);
      return new McpWorkerAdapter(config, processObserver, log, home);
    });
  }

  get workers(): readonly WorkerConfig[] {
    return this.slots.map((slot) => slot.config);
  }

  /** Workers that may take an objective with this hint; empty means the hint matches nothing. */
  eligible(agent: string): WorkerConfig[] {
    return this.eligibleSlots(agent).map((slot) => slot.config);
  }

  /** Objectives the enabled workers can run at once. */
  capacity(): number {
    return this.slots.reduce((total, slot) => total + slot.config.maxConcurrent, 0);
  }

  load(workerId: string): number {
    return this.slots.find((slot) => slot.config.id === workerId)?.active ?? 0;
  }

  acquire(request: WorkerRequest, signal: AbortSignal): Promise<Lease> {
    if (this.stopped) return Promise.reject(new Error('The worker pool has stopped.'));
    if (this.eligibleSlots(request.agent).length === 0) {
      return Promise.reject(new Error(`No enabled worker matches agent "${request.agent}". Use "auto", an agent kind or a worker id from team.json (${this.slots.map((slot) => `${slot.config.id} (${slot.config.agent})`).join(', ')}).`));
    }
    const lease = this.tryLease(request);
    if (lease) return Promise.resolve(lease);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiting.findIndex((entry) => entry.resolve === resolve);
        if (index !== -1) this.waiting.splice(index, 1);
        reject(new Error('cancelled while waiting for a worker'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push({ request, resolve, reject, signal, onAbort });
    });
  }

  private eligibleSlots(agent: string): Slot[] {
    if (agent === 'auto') return this.slots;
    const byId = this.slots.filter((slot) => slot.config.id === agent);
    return byId.length > 0 ? byId : this.slots.filter((slot) => slot.config.agent === agent);
  }

  private tryLease(request: WorkerRequest): Lease | undefined {
    const eligible = this.eligibleSlots(request.agent);
    const fresh = eligible.filter((slot) => !request.avoid.has(slot.config.id));
    const pool = fresh.length > 0 ? fresh : eligible;
    const capable = request.capability ? pool.filter((slot) => slot.config.capabilities.includes(request.capability!)) : [];
    const candidates = (capable.length > 0 ? capable : pool).filter((slot) => slot.active < slot.config.maxConcurrent);
    if (candidates.length === 0) return undefined;
    // Least loaded relative to capacity; then the one that got the fewest objectives; then team.json order.
    const load = (slot: Slot) => slot.active / slot.config.maxConcurrent;
    const slot = candidates.reduce((best, candidate) =>
      load(candidate) < load(best) || (load(candidate) === load(best) && candidate.assigned < best.assigned) ? candidate : best,
    );
    slot.active += 1;
    slot.assigned += 1;
    slot.adapter ??= this.createAdapter(slot.config, this.observer);
    let released = false;
    return {
      worker: slot.adapter,
      release: () => {
        if (released) return;
        released = true;
        slot.active -= 1;
        this.serveWaiting();
      },
    };
  }

  private serveWaiting(): void {
    for (let index = 0; index < this.waiting.length; ) {
      const entry = this.waiting[index]!;
      const lease = this.tryLease(entry.request);
      if (!lease) {
        index += 1;
        continue;
      }
      this.waiting.splice(index, 1);
      entry.signal.removeEventListener('abort', entry.onAbort);
      entry.resolve(lease);
    }
  }

  /**
   * Starts, ahead of time, the workers that the first `objectives` objectives will get, so a
   * wave does not wait for processes to boot one after another.
   */
  async warm(objectives: number): Promise<void> {
    let capacity = 0;
    const starting: Promise<void>[] = [];
    for (const slot of this.slots) {
      if (capacity >= objectives || this.stopped) break;
      capacity += slot.config.maxConcurrent;
      slot.adapter ??= this.createAdapter(slot.config, this.observer);
      if (!slot.adapter.start) continue;
      starting.push(slot.adapter.start());
    }
    await Promise.all(starting);
  }

  /** Stops every worker process; safe to call more than once. */
  async stop(options: { graceMs?: number; termMs?: number } = {}): Promise<void> {
    this.stopped = true;
    for (const entry of this.waiting.splice(0)) entry.reject(new Error('The worker pool has stopped.'));
    await Promise.all(this.slots.map((slot) => slot.adapter?.stop(options)));
  }
}
