import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ApError } from '../core/errors/ap-error.js';
import { migrations } from './migrations.js';

export type SqliteDatabase = Database.Database;

/** Opens (creating if needed) a database in WAL mode and brings its schema up to date. */
export function openDatabase(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
    migrate(database, path);
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

function migrate(database: SqliteDatabase, path: string): void {
  const current = database.pragma('user_version', { simple: true }) as number;
  const newest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > newest) {
    throw new ApError(
      'database_too_new',
      `The database ${path} has schema version ${current}, newer than this ap-orchestrator understands (${newest}). Upgrade ap-orchestrator, or point stateDir elsewhere.`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    database.transaction(() => {
      database.exec(migration.sql);
      database.pragma(`user_version = ${migration.version}`);
    })();
  }
}
