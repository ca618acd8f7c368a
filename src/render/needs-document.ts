// The parts every needs workflow shares, one job per phase or packed: the
// top-level keys (from the template, else ours), the jobs, the gate job
// after them, and the header. O(size of the workflow).
import { GATE_JOB_ID, gateJob } from './needs-gate.js'
import {
  CACHE_VERSION,
  PLAN_JOB_ID,
  planJob,
  SAVE_JOB_ID,
  saveJob
} from './needs-passed.js'
import { CHECKOUT_VERSION } from './needs-phase-job.js'
import type { NeedsWorkflowOptions } from './needs-workflow.js'
import { templatePermissions, templateTriggers } from './workflow-template.js'
import type { YamlMapping } from './yaml-value.js'
import { toWorkflowYaml, type YamlComment } from './yaml-write.js'

const DEFAULT_WORKFLOW_NAME = 'phases'

/** How the jobs run: packed by exec, and with --cache-passed the graph's digest. */
export interface DocumentKind {
  packed: boolean
  /** Set with --cache-passed: the plan and save jobs are added, keyed by it. */
  digest?: string
}

/**
 * The workflow text: `phaseJobs` (keyed by job id, in order), then the
 * gate needing `jobIds`, under `header`, with the jobs' `comments`; with a
 * digest, the plan job first and the save job last.
 */
export function needsDocument(
  phaseJobs: YamlMapping,
  jobIds: readonly string[],
  comments: readonly YamlComment[],
  header: string[],
  options: NeedsWorkflowOptions,
  kind: DocumentKind = { packed: false }
): string {
  const jobs: YamlMapping = {}
  const extra: YamlComment[] = []
  const { digest } = kind
  if (digest !== undefined) {
    jobs[PLAN_JOB_ID] = planJob(options, digest)
    extra.push(
      {
        path: ['jobs', PLAN_JOB_ID],
        before: [
          'Finds the phases unchanged since they passed: their jobs are skipped.'
        ]
      },
      {
        path: ['jobs', PLAN_JOB_ID, 'steps', 0, 'uses'],
        after: CHECKOUT_VERSION
      },
      {
        path: ['jobs', PLAN_JOB_ID, 'steps', 1, 'uses'],
        after: CACHE_VERSION
      }
    )
  }
  Object.assign(jobs, phaseJobs)
  jobs[GATE_JOB_ID] = gateJob(jobIds, options, kind.packed)
  if (digest !== undefined) {
    jobs[SAVE_JOB_ID] = saveJob(jobIds, options, digest)
    extra.push(
      {
        path: ['jobs', SAVE_JOB_ID],
        before: [
          'Keeps the phases that passed in this run, and the unchanged ones, as the new store.'
        ],
        spaceBefore: true
      },
      {
        path: ['jobs', SAVE_JOB_ID, 'steps', 0, 'uses'],
        after: CHECKOUT_VERSION
      },
      {
        path: ['jobs', SAVE_JOB_ID, 'steps', 2, 'uses'],
        after: CACHE_VERSION
      }
    )
  }
  const template = options.template?.top ?? {}
  const workflow: YamlMapping = {
    name: template.name ?? DEFAULT_WORKFLOW_NAME
  }
  if (template['run-name'] !== undefined) {
    workflow['run-name'] = template['run-name']
  }
  workflow.on = templateTriggers(options.template)
  workflow.permissions = templatePermissions(options.template)
  for (const key of ['env', 'defaults', 'concurrency'] as const) {
    const value = template[key]
    if (value !== undefined) workflow[key] = value
  }
  workflow.jobs = jobs
  return toWorkflowYaml(workflow, header, [
    ...comments,
    ...extra,
    { path: ['jobs'], spaceBefore: true },
    {
      path: ['jobs', GATE_JOB_ID],
      before: [
        digest === undefined
          ? 'Green only when every phase succeeded: the required check.'
          : 'Green only when every phase succeeded or is unchanged: the required check.'
      ],
      spaceBefore: true
    }
  ])
}
