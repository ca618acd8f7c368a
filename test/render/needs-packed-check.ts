// Helpers of the packed needs graph's tests: the workflow `generate
// --max-jobs N` writes, each job's phases as exec gets them, and the check
// that every phase runs in one job after the jobs holding its dependencies.
import { expect } from '@jest/globals'
import { parse } from 'yaml'
import { needsThroughDone } from '../../src/plan/skips.js'
import {
  DEFAULT_PARALLEL_SETTINGS,
  type PlanAnalysis
} from '../../src/plan/types.js'
import { ESCAPED_OPEN } from '../../src/render/needs-jobs.js'
import {
  GATE_JOB_ID,
  renderNeedsWorkflow,
  type NeedsWorkflow
} from '../../src/render/needs-workflow.js'
import { EXEC_ACTION_REF } from '../../src/render/waves-jobs.js'

interface Step {
  uses?: string
  with?: Record<string, string>
}
export interface PackedJob {
  name: string
  needs?: string[]
  'runs-on': unknown
  'timeout-minutes'?: number
  steps: Step[]
}

export function packed(
  analysis: PlanAnalysis,
  maxJobs?: number,
  plan = '.prd_runner/phase_plan.yaml'
): NeedsWorkflow {
  return renderNeedsWorkflow(analysis, {
    settings: DEFAULT_PARALLEL_SETTINGS,
    invocation: {
      plan,
      out: '.github/workflows/phases.yml',
      ...(maxJobs === undefined ? {} : { maxJobs })
    }
  })
}

/** Phase ids of each job, as exec gets them (YAML read as GitHub does, escapes undone). */
export function phasesByJob(text: string): Map<string, string[]> {
  const workflow = parse(text, { version: '1.1' }) as {
    jobs: Record<string, PackedJob>
  }
  const result = new Map<string, string[]>()
  for (const [id, job] of Object.entries(workflow.jobs)) {
    if (id === GATE_JOB_ID) continue
    const exec = job.steps.find(step => step.uses === EXEC_ACTION_REF)
    expect(exec).toBeDefined()
    const raw = exec!.with!['phases']!.replaceAll(ESCAPED_OPEN, '${{')
    result.set(id, JSON.parse(raw) as string[])
  }
  return result
}

/**
 * Every phase that runs in exactly one job, and each dependency in the
 * same job or in a job this one waits for through its needs.
 */
export function expectCovers(analysis: PlanAnalysis, text: string): void {
  const workflow = parse(text, { version: '1.1' }) as {
    jobs: Record<string, PackedJob>
  }
  const byJob = phasesByJob(text)
  const jobOf = new Map<string, string>()
  for (const [job, ids] of byJob) {
    for (const id of ids) {
      expect(jobOf.has(id)).toBe(false)
      jobOf.set(id, job)
    }
  }
  const { phases } = analysis.plan
  expect([...jobOf.keys()].sort()).toEqual(
    phases
      .filter(phase => !phase.done)
      .map(phase => phase.id)
      .sort()
  )
  const waitsFor = new Map<string, Set<string>>()
  const closure = (job: string): Set<string> => {
    const known = waitsFor.get(job)
    if (known !== undefined) return known
    const all = new Set<string>()
    const stack = [...(workflow.jobs[job]!.needs ?? [])]
    while (stack.length > 0) {
      const next = stack.pop()!
      if (all.has(next)) continue
      all.add(next)
      stack.push(...(workflow.jobs[next]!.needs ?? []))
    }
    waitsFor.set(job, all)
    return all
  }
  const through = needsThroughDone(analysis)
  for (const phase of phases) {
    if (phase.done) continue
    const job = jobOf.get(phase.id)!
    for (const dep of through[phase.index]!) {
      const depJob = jobOf.get(phases[dep]!.id)!
      expect(depJob === job || closure(job).has(depJob)).toBe(true)
    }
  }
  // The gate needs every job.
  expect([...(workflow.jobs[GATE_JOB_ID]!.needs ?? [])].sort()).toEqual(
    [...byJob.keys()].sort()
  )
}
