/** What the prompt needs to know about one objective run. */
export interface WorkerPromptInput {
  objectiveId: string;
  wave: number;
  dependsOn: readonly string[];
  title: string;
  description: string;
  scopeTouch: readonly string[];
  scopeRead: readonly string[];
  effectiveForbid: readonly string[];
  context: string;
  integrationPoints: readonly string[];
  constraints: readonly string[];
  acceptance: readonly string[];
  deliverables: readonly string[];
  /** Contracts from the plan that involve this objective. */
  contracts: readonly string[];
  request: string;
}

const list = (items: readonly string[], empty = '(none)') => (items.length > 0 ? items.map((item) => `- ${item}`).join('\n') : empty);

/**
 * The AP worker prompt: the `#! Codex agent prompt` header with the scope fields, then the
 * sections, then how to reply. Every agent gets the same text, so behavior is comparable.
 */
export function renderWorkerPrompt(input: WorkerPromptInput): string {
  return [
    '#! Codex agent prompt',
    `TASK_ID: ${input.objectiveId}`,
    `WAVE: ${input.wave}`,
    `DEPENDS_ON: ${input.dependsOn.join(', ') || 'none'}`,
    `TITLE: ${input.title}`,
    `SCOPE_TOUCH: ${input.scopeTouch.join(', ')}`,
    `SCOPE_READ: ${input.scopeRead.join(', ') || 'any file, for reading only'}`,
    `SCOPE_FORBID: ${input.effectiveForbid.join(', ') || 'none'}`,
    '',
    '## CONTEXT',
    `Owner request: ${input.request}`,
    input.description,
    input.context,
    '',
    '## INTEGRATION_POINTS',
    list([...input.integrationPoints, ...input.contracts]),
    '',
    '## CONSTRAINTS',
    list([
      'Change only files inside SCOPE_TOUCH. Never change files in SCOPE_FORBID. Any other change fails the objective and is not merged.',
      'Work only in the current directory (your own git worktree); do not commit, push or switch branches: the orchestrator commits for you.',
      ...input.constraints,
    ]),
    '',
    '## ACCEPTANCE',
    list(input.acceptance),
    '',
    '## DELIVERABLES',
    list(input.deliverables, '- The changes inside SCOPE_TOUCH.'),
    '',
    '## REPLY FORMAT',
    'End your answer with:',
    'STATUS=COMPLETED (or FAILED, or BLOCKED)',
    '### Change Summary',
    '- one line per change',
    '### Test Status',
    'passed, failed or not run, with details',
    '### Commit Message',
    'a Conventional Commit subject, e.g. feat(auth): add token login',
    'If FAILED, add "### Failure Report" with what went wrong.',
    'If the work needs files outside SCOPE_TOUCH, change nothing there: reply STATUS=BLOCKED with',
    'REQUESTED_SCOPE_ADDITION=<paths, comma-separated> and REASON=<why>.',
  ]
    .filter((line, index, lines) => !(line === '' && lines[index - 1] === ''))
    .join('\n');
}
