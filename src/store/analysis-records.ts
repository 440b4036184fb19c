import type { AnalysisReport } from '../core/analysis/types.js';
import type { SqliteDatabase } from './open-database.js';

export class AnalysisRecords {
  private readonly insertStatement;
  private readonly getStatement;

  constructor(database: SqliteDatabase) {
    this.insertStatement = database.prepare(
      'INSERT INTO analyses (id, repo, request, task_type, created_at, report_json) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.getStatement = database.prepare<[string], { report_json: string }>('SELECT report_json FROM analyses WHERE id = ?');
  }

  insert(report: AnalysisReport): void {
    this.insertStatement.run(report.analysisId, report.repo, report.request, report.taskType, report.createdAt, JSON.stringify(report));
  }

  get(id: string): AnalysisReport | undefined {
    const row = this.getStatement.get(id);
    return row ? (JSON.parse(row.report_json) as AnalysisReport) : undefined;
  }
}
