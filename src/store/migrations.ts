/**
 * Versioned schema. Each step runs once, in order, inside a transaction; `user_version`
 * records how far a database has come. Never edit a shipped step: add a new one.
 */
export const migrations: readonly { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description: 'analyses, plans and objectives',
    sql: `
      CREATE TABLE analyses (
        id TEXT PRIMARY KEY,
        repo TEXT NOT NULL,
        request TEXT NOT NULL,
        task_type TEXT NOT NULL,
        created_at TEXT NOT NULL,
        report_json TEXT NOT NULL
      );
      CREATE TABLE plans (
        id TEXT PRIMARY KEY,
        analysis_id TEXT NOT NULL REFERENCES analyses(id),
        status TEXT NOT NULL,
        source TEXT NOT NULL,
        created_at TEXT NOT NULL,
        approved_at TEXT,
        approved_by TEXT,
        layout_json TEXT NOT NULL
      );
      CREATE INDEX plans_by_analysis ON plans(analysis_id);
      CREATE TABLE objectives (
        plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        position INTEGER NOT NULL,
        wave INTEGER NOT NULL,
        title TEXT NOT NULL,
        objective_json TEXT NOT NULL,
        PRIMARY KEY (plan_id, id)
      );
      CREATE INDEX objectives_by_wave ON objectives(plan_id, wave, position);
    `,
  },
];
