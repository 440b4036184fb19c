import type { EventRecords, StoredEvent } from '../store/event-records.js';

export type RunEventType =
  | 'run_started'
  | 'phase_started'
  | 'wave_started'
  | 'objective_started'
  | 'objective_finished'
  | 'scope_violation'
  | 'run_finished'
  | 'worker_activity'
  | 'worker_metrics'
  | 'worker_error';

export type Listener = (event: StoredEvent) => void;

/**
 * Every event gets the next `seq` at once and is written to the event log before anyone hears of
 * it, so what a client saw can always be found again. Events of one tick are written in one
 * transaction and then delivered; readers call `flush` first. Listeners that throw are isolated.
 */
export class EventBus {
  private seq: number;
  private readonly listeners = new Set<Listener>();
  private pending: StoredEvent[] = [];
  private flushScheduled = false;
  private timestampMs = 0;
  private timestamp = '';

  constructor(private readonly records: EventRecords) {
    this.seq = records.maxSeq();
  }

  emit(runId: string | null, type: RunEventType, payload: Record<string, unknown>): StoredEvent {
    this.seq += 1;
    const now = Date.now();
    // Bursts share a millisecond: format its timestamp once.
    if (now !== this.timestampMs) {
      this.timestampMs = now;
      this.timestamp = new Date(now).toISOString();
    }
    const event: StoredEvent = { seq: this.seq, runId, type, timestamp: this.timestamp, payload, payloadJson: JSON.stringify(payload) };
    this.pending.push(event);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return event;
  }

  /** Writes what is pending, then tells the listeners. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.records.appendMany(batch);
    } catch (error) {
      // The log could not be written (disk full, database closed): the events are still delivered.
      process.stderr.write(`[ap-orchestrator] could not write ${batch.length} event(s) to the event log: ${(error as Error).message}\n`);
    }
    this.seq = Math.max(this.seq, batch[batch.length - 1]!.seq);
    for (const event of batch) {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch {
          // One broken subscriber must not stop the run or the others.
        }
      }
    }
  }

  get lastSeq(): number {
    return this.seq;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first event of `runId` after `afterSeq`, or null after `timeoutMs`. */
  waitForEvent(runId: string, afterSeq: number, timeoutMs: number, signal?: AbortSignal): Promise<StoredEvent | null> {
    this.flush();
    const existing = this.records.listAfter(runId, afterSeq, 1)[0];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const finish = (event: StoredEvent | null) => {
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        resolve(event);
      };
      const onAbort = () => finish(null);
      const timer = setTimeout(() => finish(null), timeoutMs);
      const unsubscribe = this.subscribe((event) => {
        if (event.runId === runId && event.seq > afterSeq) finish(event);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
