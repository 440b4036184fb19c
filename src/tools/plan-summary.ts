import type { CoordinationPlan } from '../core/plan/coordination-plan.js';

export function summarizePlan(plan: CoordinationPlan): string {
  const waves = plan.waves.map((wave) => `wave ${wave.wave}: ${wave.objectives.join(', ')}`).join('; ');
  const warnings = plan.problems.filter((problem) => problem.severity === 'warning');
  return [
    `Plan ${plan.planId} (${plan.status}): ${plan.objectives.length} objectives in ${plan.waves.length} waves (${waves}).`,
    ...plan.moves.map((move) => `Moved: ${move.reason}`),
    warnings.length > plan.moves.length ? `${warnings.length - plan.moves.length} other warnings; see problems.` : '',
    `Saved ${plan.markdownPath}.`,
    plan.status === 'draft'
      ? `Next: review it, then call \`approve\` with planId "${plan.planId}" (or plan again with approve=true), then \`execute\`.`
      : `Next: call \`execute\` with planId "${plan.planId}".`,
  ]
    .filter(Boolean)
    .join('\n');
}
