import { z } from 'zod';
import { taskTypeSchema } from '../analysis/types.js';
import { objectiveInputSchema } from './objective-schema.js';

export const planStatuses = ['draft', 'approved'] as const;
export const planSources = ['caller', 'sampling', 'proposed'] as const;

const problemSchema = z.object({
  severity: z.enum(['error', 'warning']).describe('Errors stop the plan; warnings are worth reading.'),
  objective: z.string().optional().describe('Objective the problem belongs to.'),
  field: z.string().optional().describe('Field path, e.g. `scopeTouch[1]`.'),
  message: z.string().describe('What is wrong.'),
  fix: z.string().describe('How to fix it.'),
});

export const plannedObjectiveSchema = objectiveInputSchema.extend({
  scopeRead: z.array(z.string()).describe('Normalized read scope.'),
  scopeForbid: z.array(z.string()).describe("The objective's own forbid entries, normalized."),
  wave: z.number().int().describe('1-based wave the objective runs in.'),
  effectiveForbid: z
    .array(z.string())
    .describe("Effective SCOPE_FORBID: global forbid, the objective's own scopeForbid and every other wave member's scopeTouch."),
});

export const coordinationPlanSchema = z.object({
  planId: z.string().describe('Id of the plan; pass it to `approve` and `execute`.'),
  analysisId: z.string().describe('Analysis the plan was made from.'),
  repo: z.string().describe('Absolute path of the target repository.'),
  request: z.string().describe('The original request.'),
  taskType: taskTypeSchema,
  status: z.enum(planStatuses).describe('`draft` until approved; execution needs `approved`.'),
  source: z.enum(planSources).describe('Who wrote the objectives: the caller, the host model through sampling, or the deterministic proposer.'),
  createdAt: z.string().describe('ISO timestamp.'),
  approvedAt: z.string().nullable().describe('When the plan was approved, or null.'),
  globalForbid: z.array(z.string()).describe('Paths no objective may change.'),
  waves: z.array(z.object({ wave: z.number().int().describe('1-based wave number.'), objectives: z.array(z.string()).describe('Objective ids in the wave.') })).describe('Objective ids per wave; a wave runs in parallel.'),
  objectives: z.array(plannedObjectiveSchema).describe('Objectives in input order, with their wave and effective forbid list.'),
  moves: z
    .array(
      z.object({
        objective: z.string().describe('The objective that moved.'),
        fromWave: z.number().int().describe('The wave its dependencies allowed.'),
        toWave: z.number().int().describe('The wave it was placed in.'),
        collidedWith: z.string().describe('The earlier objective whose scope it overlapped.'),
        entry: z.string().describe("Its scopeTouch entry that collided."),
        otherEntry: z.string().describe("The other objective's entry it collided with."),
        reason: z.string().describe('The move, in a sentence.'),
      }),
    )
    .describe('Objectives moved to a later wave because their scopeTouch overlapped an earlier objective in the same wave.'),
  contracts: z
    .array(
      z.object({
        kind: z.enum(['dependency', 'import', 'integration_point']).describe('Where the contract comes from.'),
        providers: z.array(z.string()).describe('Objectives that provide the interface.'),
        consumers: z.array(z.string()).describe('Objectives that rely on it.'),
        description: z.string().describe('What must be agreed.'),
      }),
    )
    .describe('Integration contracts the objectives must respect.'),
  problems: z.array(problemSchema).describe('Every problem found (only warnings in a saved plan).'),
  markdownPath: z.string().describe('Repo-relative path of the saved PLAN markdown.'),
});
export type CoordinationPlan = z.infer<typeof coordinationPlanSchema>;
export type PlannedObjectiveRecord = z.infer<typeof plannedObjectiveSchema>;
