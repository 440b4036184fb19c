import { z } from 'zod';

/**
 * team.json as users write it. Both the project's own keys and the original AP format's
 * snake_case keys are accepted; `normalizeTeamFile` merges them into one shape.
 */
export const teamFileSchema = z
  .object({
    $schema: z.string().optional(),
    stateDir: z.string().min(1).optional().describe('Folder for the database and worktrees, relative to the repo (default `.ap`).'),
    state_dir: z.string().min(1).optional(),
    globalForbid: z.array(z.string()).optional().describe('Paths no objective may change.'),
    global_forbid: z.array(z.string()).optional(),
    autoApprove: z.boolean().optional().describe('Approve plans as they are made.'),
    auto_approve: z.boolean().optional(),
    workers: z.array(z.record(z.string(), z.unknown())).optional().describe('Workers; see the README.'),
    verify: z
      .union([z.string().min(1), z.object({ command: z.string().min(1), timeoutSeconds: z.number().positive().max(86_400).optional() }).strict()])
      .optional()
      .describe('Command run (by /bin/sh) on the integration branch after each wave; a failure rolls the wave back.'),
    quality_gates: z
      .object({ test_command: z.string().min(1).optional(), timeout: z.number().positive().optional() })
      .passthrough()
      .optional(),
    logsFromStart: z.boolean().optional().describe("Read workers' log files from their start instead of only what is appended during a run."),
    maxAttempts: z.number().int().min(1).max(10).optional().describe('Attempts per objective, each on another eligible worker when there is one.'),
    max_retries: z.number().int().min(0).max(9).optional(),
    dashboard: z.unknown().optional(),
  })
  .passthrough();
export type TeamFile = z.infer<typeof teamFileSchema>;
