// The parts every needs workflow shares, one job per phase or packed: the
// top-level keys (from the template, else ours), the jobs, the gate job
// after them, and the header. O(size of the workflow).
import { GATE_JOB_ID, gateJob } from './needs-gate.js'
import type { NeedsWorkflowOptions } from './needs-workflow.js'
import { templatePermissions, templateTriggers } from './workflow-template.js'
import type { YamlMapping } from './yaml-value.js'
import { toWorkflowYaml, type YamlComment } from './yaml-write.js'

const DEFAULT_WORKFLOW_NAME = 'phases'

/**
 * The workflow text: `jobs` (keyed by job id, in order), then the gate
 * needing `jobIds`, under `header`, with the jobs' `comments`.
 */
export function needsDocument(
  jobs: YamlMapping,
  jobIds: readonly string[],
  comments: readonly YamlComment[],
  header: string[],
  options: NeedsWorkflowOptions
): string {
  jobs[GATE_JOB_ID] = gateJob(jobIds, options)
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
    { path: ['jobs'], spaceBefore: true },
    {
      path: ['jobs', GATE_JOB_ID],
      before: ['Green only when every phase succeeded: the required check.'],
      spaceBefore: true
    }
  ])
}
