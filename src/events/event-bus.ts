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
 * Every event gets the next `seq` and is written to the event log before anyone hears of it,
 * so what a client saw can always be found again. Listeners that throw are isolated.
 */
export class EventBus {
  private seq: number;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly records: EventRecords) {
    this.seq = records.maxSeq();
  }

  emit(runId: string | null, type: RunEventType, payload: Record<string, unknown>): StoredEvent {
    this.seq += 1;
    const event: StoredEvent = { seq: this.seq, runId, type, timestamp: new Date().toISOString(), payload };
    this.records.append(event);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken subscriber must not stop the run or the others.
      }
    }
    return event;
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
