// Renders a needs workflow for the renderer tests and reads it back as
// GitHub would (YAML 1.1), by phase.
import { expect } from '@jest/globals'
import { parse } from 'yaml'
import {
  DEFAULT_PARALLEL_SETTINGS,
  type ParallelSettings,
  type PlanAnalysis
} from '../../src/plan/types.js'
import { ESCAPED_OPEN } from '../../src/render/needs-jobs.js'
import {
  GATE_JOB_ID,
  renderNeedsWorkflow,
  type NeedsWorkflow
} from '../../src/render/needs-workflow.js'
import { parseWorkflowTemplate } from '../../src/render/workflow-template.js'
import { actionlint, githubParserErrors } from '../workflows/github.js'

export interface Job {
  name: string
  needs?: string[]
  if?: string
  'runs-on': unknown
  'timeout-minutes'?: number
  permissions?: Record<string, string>
  env?: Record<string, string>
  outputs?: Record<string, string>
  steps: Record<string, unknown>[]
}
export interface Workflow {
  name: string
  on: unknown
  permissions: unknown
  jobs: Record<string, Job>
  [key: string]: unknown
}

export function render(
  analysis: PlanAnalysis,
  settings: Partial<ParallelSettings> = {},
  template?: string
): NeedsWorkflow {
  return renderNeedsWorkflow(analysis, {
    settings: { ...DEFAULT_PARALLEL_SETTINGS, ...settings },
    template:
      template === undefined
        ? undefined
        : parseWorkflowTemplate(template, 'template.yml'),
    invocation: {
      plan: 'plan.yaml',
      out: '.github/workflows/phases.yml',
      ...(template === undefined ? {} : { template: 'template.yml' })
    }
  })
}

export function workflowOf(result: NeedsWorkflow): Workflow {
  expect(result.problems).toEqual([])
  return parse(result.text, { version: '1.1' }) as Workflow
}

/** A job name as GitHub shows it (GitHub's own reading: needs-hostile-plan.test.ts). */
export function shownName(name: string): string {
  return name.replaceAll(ESCAPED_OPEN, '${{')
}

/** Phase id → its job, through the job's name. */
export function jobsByPhase(workflow: Workflow): Map<string, [string, Job]> {
  const jobs = new Map<string, [string, Job]>()
  for (const [id, job] of Object.entries(workflow.jobs)) {
    if (id !== GATE_JOB_ID) jobs.set(shownName(job.name), [id, job])
  }
  return jobs
}

export async function expectGitHubAccepts(text: string): Promise<void> {
  const file = { path: '.github/workflows/phases.yml', text }
  expect(await actionlint(file)).toEqual([])
  expect(await githubParserErrors(file)).toEqual([])
}
