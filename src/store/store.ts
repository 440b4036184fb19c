import { AnalysisRecords } from './analysis-records.js';
import { EventRecords } from './event-records.js';
import { RunRecords } from './run-records.js';
import { openDatabase, type SqliteDatabase } from './open-database.js';
import { PlanRecords } from './plan-records.js';

/** One repository's orchestrator database. The owner closes it. */
export class Store {
  readonly analyses: AnalysisRecords;
  readonly plans: PlanRecords;
  readonly runs: RunRecords;
  readonly events: EventRecords;
  private closed = false;

  private constructor(
    readonly path: string,
    readonly database: SqliteDatabase,
  ) {
    this.analyses = new AnalysisRecords(database);
    this.plans = new PlanRecords(database);
    this.runs = new RunRecords(database);
    this.events = new EventRecords(database);
  }

  static open(path: string): Store {
    return new Store(path, openDatabase(path));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.database.close();
  }
}
