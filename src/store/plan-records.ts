import type { CoordinationPlan, PlannedObjectiveRecord } from '../core/plan/coordination-plan.js';
import type { SqliteDatabase } from './open-database.js';

type StoredLayout = Omit<CoordinationPlan, 'objectives' | 'status' | 'approvedAt'>;
type StoredObjective = Omit<PlannedObjectiveRecord, 'effectiveForbid'>;

/** Plans: one row per plan, one row per objective. Effective forbid lists are derived, never stored. */
export class PlanRecords {
  constructor(private readonly database: SqliteDatabase) {}

  insert(plan: CoordinationPlan): void {
    const { objectives, status, approvedAt, ...layout } = plan;
    const insertPlan = this.database.prepare(
      'INSERT INTO plans (id, analysis_id, status, source, created_at, approved_at, layout_json) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const insertObjective = this.database.prepare(
      'INSERT INTO objectives (plan_id, id, position, wave, title, objective_json) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.database.transaction(() => {
      insertPlan.run(plan.planId, plan.analysisId, status, plan.source, plan.createdAt, approvedAt, JSON.stringify(layout satisfies StoredLayout));
      objectives.forEach((objective, position) => {
        const { effectiveForbid: _derived, ...stored } = objective;
        insertObjective.run(plan.planId, objective.id, position, objective.wave, objective.title, JSON.stringify(stored satisfies StoredObjective));
      });
    })();
  }

  /** The plan without effective forbid lists (see `withEffectiveForbid`). */
  get(id: string): (Omit<CoordinationPlan, 'objectives'> & { objectives: StoredObjective[] }) | undefined {
    const row = this.database
      .prepare<[string], { status: CoordinationPlan['status']; approved_at: string | null; layout_json: string }>(
        'SELECT status, approved_at, layout_json FROM plans WHERE id = ?',
      )
      .get(id);
    if (!row) return undefined;
    const objectives = this.database
      .prepare<[string], { objective_json: string }>('SELECT objective_json FROM objectives WHERE plan_id = ? ORDER BY position')
      .all(id)
      .map((objective) => JSON.parse(objective.objective_json) as StoredObjective);
    const layout = JSON.parse(row.layout_json) as StoredLayout;
    return { ...layout, status: row.status, approvedAt: row.approved_at, objectives };
  }

  approve(id: string, approvedAt: string, approvedBy: string): boolean {
    const result = this.database
      .prepare("UPDATE plans SET status = 'approved', approved_at = ?, approved_by = ? WHERE id = ? AND status = 'draft'")
      .run(approvedAt, approvedBy, id);
    return result.changes === 1;
  }
}
