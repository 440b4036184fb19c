import type { CoordinationPlan } from './coordination-plan.js';
import { cell, codeList } from '../markdown.js';

/** The CoordinationPlan document saved as docs/plans/PLAN_<id>.md. */
export function renderPlanMarkdown(plan: CoordinationPlan): string {
  const lines: string[] = [
    `# Coordination Plan ${plan.planId}`,
    '',
    `- **Request:** ${plan.request}`,
    `- **Task type:** ${plan.taskType}`,
    `- **Status:** ${plan.status}${plan.approvedAt ? ` (approved ${plan.approvedAt})` : ''}`,
    `- **Analysis:** ${plan.analysisId}`,
    `- **Objectives written by:** ${plan.source}`,
    `- **Created:** ${plan.createdAt}`,
    `- **Global forbid:** ${codeList(plan.globalForbid)}`,
    '',
    '## Waves',
    '',
    'Objectives in one wave run in parallel; their SCOPE_TOUCH never overlap.',
    '',
    '| Wave | Objective | Title | SCOPE_TOUCH | Depends on | Agent |',
    '|---|---|---|---|---|---|',
  ];
  const byId = new Map(plan.objectives.map((objective) => [objective.id, objective]));
  for (const wave of plan.waves) {
    for (const id of wave.objectives) {
      const objective = byId.get(id)!;
      lines.push(`| ${wave.wave} | ${cell(id)} | ${cell(objective.title)} | ${cell(codeList(objective.scopeTouch, 5))} | ${cell(objective.dependsOn.join(', ') || '-')} | ${cell(objective.agent)} |`);
    }
  }
  if (plan.moves.length > 0) {
    lines.push('', '## Moves', '', 'Objectives placed later than their dependencies allowed, because their scope collided:', '');
    for (const move of plan.moves) lines.push(`- ${move.reason}`);
  }
  if (plan.contracts.length > 0) {
    lines.push('', '## Integration contracts', '');
    for (const contract of plan.contracts) lines.push(`- (${contract.kind}) ${contract.description}`);
  }
  const warnings = plan.problems.filter((problem) => problem.severity === 'warning' && !plan.moves.some((move) => move.reason === problem.message));
  if (warnings.length > 0) {
    lines.push('', '## Warnings', '');
    for (const warning of warnings) lines.push(`- ${warning.objective ? `**${warning.objective}** ` : ''}${warning.field ? `(${warning.field}) ` : ''}${warning.message} ${warning.fix}`);
  }
  lines.push('', '## Objectives');
  for (const objective of plan.objectives) {
    lines.push(
      '',
      `### ${objective.id}: ${objective.title}`,
      '',
      `- **Wave:** ${objective.wave}`,
      `- **Depends on:** ${objective.dependsOn.join(', ') || '-'}`,
      `- **Agent:** ${objective.agent}; **complexity:** ${objective.complexity}`,
      `- **SCOPE_TOUCH:** ${codeList(objective.scopeTouch)}`,
      `- **SCOPE_READ:** ${codeList(objective.scopeRead)}`,
      `- **SCOPE_FORBID (effective):** ${codeList(objective.effectiveForbid)}`,
    );
    if (objective.description) lines.push('', objective.description);
    const sections: [string, readonly string[]][] = [
      ['Integration points', objective.integrationPoints],
      ['Constraints', objective.constraints],
      ['Acceptance', objective.acceptance],
      ['Deliverables', objective.deliverables],
    ];
    for (const [title, items] of sections) {
      if (items.length === 0) continue;
      lines.push('', `**${title}:**`, '', ...items.map((item) => `- ${item}`));
    }
    if (objective.context) lines.push('', `**Context:** ${objective.context}`);
    if (objective.edits.length > 0) lines.push('', `**Scripted edits (built-in worker):** ${objective.edits.length}`);
  }
  return `${lines.join('\n')}\n`;
}
