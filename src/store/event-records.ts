import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './open-database.js';

export interface StoredEvent {
  seq: number;
  runId: string | null;
  type: string;
  timestamp: string;
  payload: Record<string, unknown>;
  /** The payload as JSON, made once: the log stores it and the WebSocket frames reuse it. */
  payloadJson?: string;
}

const rowsPerInsert = 64;

/** The event log: append-only, ordered by `seq`, so a run can be replayed exactly as it happened. */
export class EventRecords {
  private readonly insert;
  private readonly after;
  private readonly latestForRun;
  private readonly highest;

  constructor(private readonly database: SqliteDatabase) {
    this.insert = database.prepare('INSERT INTO events (seq, run_id, type, timestamp, payload_json) VALUES (?, ?, ?, ?, ?)');
    this.after = database.prepare<[string, number, number], { seq: number; run_id: string | null; type: string; timestamp: string; payload_json: string }>(
      'SELECT seq, run_id, type, timestamp, payload_json FROM events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.latestForRun = database.prepare<[string, number], { seq: number; run_id: string | null; type: string; timestamp: string; payload_json: string }>(
      'SELECT seq, run_id, type, timestamp, payload_json FROM events WHERE run_id = ? ORDER BY seq DESC LIMIT ?',
    );
    this.highest = database.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM events');
  }

  /** The newest `worker_metrics` payload of each worker of a run. */
  latestMetrics(runId: string): Record<string, unknown>[] {
    return this.database
      .prepare<[string, string], { payload_json: string }>(
        `SELECT payload_json FROM events WHERE run_id = ? AND seq IN (
           SELECT MAX(seq) FROM events WHERE run_id = ? AND type = 'worker_metrics' GROUP BY json_extract(payload_json, '$.worker_id'))
         ORDER BY json_extract(payload_json, '$.worker_id')`,
      )
      .all(runId, runId)
      .map((row) => JSON.parse(row.payload_json) as Record<string, unknown>);
  }

  maxSeq(): number {
    return this.highest.get()?.seq ?? 0;
  }

  append(event: StoredEvent): void {
    this.insert.run(event.seq, event.runId, event.type, event.timestamp, JSON.stringify(event.payload));
  }

  /**
   * Appends events in one transaction: the log keeps up with bursts of activity. Another process
   * (a CLI next to a server) may have written to the same log meanwhile: the events are renumbered
   * after the log's newest inside the transaction, so no seq is ever taken twice.
   */
  appendMany(events: StoredEvent[]): void {
    this.database
      .transaction(() => {
        const newest = this.maxSeq();
        if (events.length > 0 && events[0]!.seq <= newest) events.forEach((event, index) => (event.seq = newest + 1 + index));
        this.appendAll(events);
      })
      .immediate();
  }

  private insertMany: Statement<unknown[]> | undefined;

  /** Multi-row inserts: one call into SQLite per 64 events instead of one per event. */
  private readonly appendAll = (events: readonly StoredEvent[]) =>
    this.database.transaction((batch: readonly StoredEvent[]) => {
      this.insertMany ??= this.database.prepare(
        `INSERT INTO events (seq, run_id, type, timestamp, payload_json) VALUES ${Array.from({ length: rowsPerInsert }, () => '(?, ?, ?, ?, ?)').join(', ')}`,
      );
      let index = 0;
      const values: unknown[] = [];
      for (; index + rowsPerInsert <= batch.length; index += rowsPerInsert) {
        values.length = 0;
        for (let row = index; row < index + rowsPerInsert; row += 1) {
          const event = batch[row]!;
          values.push(event.seq, event.runId, event.type, event.timestamp, event.payloadJson ?? JSON.stringify(event.payload));
        }
        this.insertMany.run(...values);
      }
      for (; index < batch.length; index += 1) {
        const event = batch[index]!;
        this.insert.run(event.seq, event.runId, event.type, event.timestamp, event.payloadJson ?? JSON.stringify(event.payload));
      }
    })(events);

  listAfter(runId: string, afterSeq: number, limit = 1000): StoredEvent[] {
    return this.after.all(runId, afterSeq, limit).map(toEvent);
  }

  latest(runId: string, limit: number): StoredEvent[] {
    return this.latestForRun.all(runId, limit).map(toEvent).reverse();
  }
}

function toEvent(row: { seq: number; run_id: string | null; type: string; timestamp: string; payload_json: string }): StoredEvent {
  return { seq: row.seq, runId: row.run_id, type: row.type, timestamp: row.timestamp, payload: JSON.parse(row.payload_json) as Record<string, unknown> };
}
