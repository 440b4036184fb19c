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
  {
    version: 2,
    description: 'runs, waves, objective states, attempts, worker processes and the event log',
    sql: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        plan_id TEXT NOT NULL REFERENCES plans(id),
        repo TEXT NOT NULL,
        status TEXT NOT NULL,
        phase TEXT NOT NULL,
        mode TEXT NOT NULL,
        current_wave INTEGER NOT NULL DEFAULT 0,
        base_commit TEXT,
        base_branch TEXT,
        integration_branch TEXT,
        owner_pid INTEGER,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        config_json TEXT NOT NULL,
        error TEXT,
        created_at TEXT NOT NULL,
        finished_at TEXT,
        report_json TEXT
      );
      CREATE INDEX runs_by_status ON runs(status);
      CREATE TABLE run_waves (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        wave INTEGER NOT NULL,
        status TEXT NOT NULL,
        base_commit TEXT,
        verify_json TEXT,
        started_at TEXT,
        finished_at TEXT,
        PRIMARY KEY (run_id, wave)
      );
      CREATE TABLE run_objectives (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        objective_id TEXT NOT NULL,
        wave INTEGER NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        worker_id TEXT,
        branch TEXT,
        worktree TEXT,
        commit_sha TEXT,
        files_json TEXT NOT NULL DEFAULT '[]',
        violations_json TEXT NOT NULL DEFAULT '[]',
        reply_json TEXT,
        error TEXT,
        started_at TEXT,
        finished_at TEXT,
        PRIMARY KEY (run_id, objective_id)
      );
      CREATE TABLE attempts (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        objective_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        worker_id TEXT NOT NULL,
        outcome TEXT,
        error TEXT,
        session_id TEXT,
        input_tokens INTEGER,
        output_tokens INTEGER,
        cost_usd REAL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        PRIMARY KEY (run_id, objective_id, attempt)
      );
      CREATE TABLE worker_processes (
        pid INTEGER NOT NULL,
        run_id TEXT,
        worker_id TEXT NOT NULL,
        owner_pid INTEGER NOT NULL,
        command TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        PRIMARY KEY (pid, started_at)
      );
      CREATE INDEX worker_processes_alive ON worker_processes(ended_at);
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        run_id TEXT,
        type TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        payload_json TEXT NOT NULL
      );
      CREATE INDEX events_by_run ON events(run_id, seq);
    `,
  },
  {
    version: 3,
    description: 'worker processes remember their kernel start time, so a reused pid is never taken for them',
    sql: `ALTER TABLE worker_processes ADD COLUMN process_start TEXT;`,
  },
  {
    version: 4,
    description: 'attempts count the output lines of an agent that were not events of its stream',
    sql: `ALTER TABLE attempts ADD COLUMN malformed_lines INTEGER;`,
  },
];
