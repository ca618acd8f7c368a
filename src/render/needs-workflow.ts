// The exact `needs` graph: a workflow with one job per phase whose `needs:`
// are the phase's dependencies, so each phase starts the moment its own
// dependencies finish, and GitHub itself skips the dependents of a failure
// and re-runs failed jobs with their dependents. A final gate job turns the
// whole graph into one required check. With --max-jobs N, or when this
// file would be over GitHub's 500 KB, the packed graph is written instead
// (needs-packed.ts). Pure: analysis + template + options in, YAML
// text (and any problem that prevents it) out. O(phases + deps).
//
// Plan text is data, never code or an expression:
// - every plan string written into a value GitHub evaluates (`name`,
//   `runs-on`, the command) has each `${{` escaped (needs-jobs.ts);
// - the command goes into the step's own `run:`. It could instead travel
//   through `env:` (`PHASE_RUN` + `bash -c "$PHASE_RUN"`), but GitHub
//   evaluates `env:` values too, so the escape is needed either way; `env:`
//   would add Linux's 128 KiB limit per variable (E2BIG), hide the command
//   from the log, and bypass the template's `defaults.run.shell`;
// - no plan text is ever placed inside shell code we write (the gate, the
//   cancel step, the "no command" step are fixed text); with --cache-passed
//   a phase id is in `if:` and in the `passed` output only as an
//   expression string literal (needs-passed.ts);
// - the YAML writer quotes and escapes every string so none can end its
//   scalar early; descriptions become comments with line breaks escaped.
import type { PlanAnalysis } from '../plan/types.js'
import { needsThroughDone } from '../plan/skips.js'
import { hashablePhases } from '../plan/input-hash.js'
import {
  MAX_EXPRESSION_LENGTH,
  laneNeeds,
  lanePredecessors,
  CHECKOUT_VERSION,
  hasCommand,
  phaseComment,
  phaseJob,
  type NeededOutputs,
  type NeedsWorkflow,
  type NeedsWorkflowOptions,
  PLAN_JOB_ID,
  SAVE_JOB_ID
} from './needs-jobs.js'
import {
  jobIdsFor,
  needsDocument,
  GATE_JOB_ID,
  laneCount,
  needsHeader,
  settingNotes
} from './needs-document.js'
import {
  cachedCondition,
  graphDigest,
  neededOrStoredOutputsValue,
  phasePassedOutput,
  cachePassedJobs
} from './needs-passed.js'
import {
  cachePassedProblems,
  checkCachePassedPlan,
  expressionProblems,
  MAX_WORKFLOW_BYTES,
  tooLargeProblem,
  utf8Length,
  workflowSizeLowerBound
} from './needs-limits.js'
import { at, numberAt } from '../plan/at.js'
import { packedNeedsWorkflow, packToFit } from './needs-packed.js'
import type { YamlMapping, YamlComment } from './yaml.js'

export { GATE_JOB_ID, GATE_JOB_NAME } from './needs-document.js'
export {
  MAX_WORKFLOW_BYTES,
  utf8Length,
  workflowSizeLowerBound
} from './needs-limits.js'

export type {
  NeedsWorkflow,
  NeedsWorkflowOptions,
  PackedSummary
} from './needs-jobs.js'

/**
 * Renders the needs-graph workflow of a valid plan: one job per phase, or
 * with `invocation.maxJobs` (or when one job per phase would be over 500 KB
 * and no worker lanes are asked for) packed jobs run by exec.
 */
export function renderNeedsWorkflow(
  analysis: PlanAnalysis,
  options: NeedsWorkflowOptions
): NeedsWorkflow {
  const { phases } = analysis.plan
  const notes = settingNotes(options, analysis)
  const { maxJobs } = options.invocation
  checkCachePassedPlan(options.invocation)
  if (maxJobs !== undefined) {
    return packedNeedsWorkflow(analysis, options, maxJobs, notes)
  }
  // Pack or refuse before rendering what cannot fit (100,000 phases: no
  // minutes of YAML).
  const floor = workflowSizeLowerBound(analysis)
  const canPack = laneCount(options) === 0
  if (floor > MAX_WORKFLOW_BYTES && canPack) {
    return packToFit(analysis, options, notes, `at least ${floor}`)
  }
  if (floor > MAX_WORKFLOW_BYTES) {
    return {
      text: '',
      bytes: floor,
      jobIds: phases.map(() => undefined),
      problems: [tooLargeProblem(analysis, options, `at least ${floor}`)],
      notes
    }
  }
  const active = phases.filter(phase => !phase.done)
  const done = phases.filter(phase => phase.done)
  // --cache-passed adds a plan job first and a save job last (none when
  // every phase is done: nothing could be skipped).
  const cache = options.invocation.cachePassed === true && active.length > 0
  const activeIds = jobIdsFor(
    active.map(phase => phase.id),
    cache ? [GATE_JOB_ID, PLAN_JOB_ID, SAVE_JOB_ID] : [GATE_JOB_ID]
  )
  const jobIds: (string | undefined)[] = phases.map(() => undefined)
  active.forEach((phase, k) => {
    jobIds[phase.index] = activeIds[k]
  })
  const hashable = cache ? hashablePhases(analysis) : undefined
  const problems = [
    ...expressionProblems(analysis),
    ...(hashable === undefined
      ? []
      : cachePassedProblems(
          analysis,
          options,
          active.map(phase => (hashable[phase.index] === true ? [phase] : []))
        ))
  ]
  if (problems.length > 0) {
    return { text: '', bytes: 0, jobIds, problems, notes }
  }

  const lanes = laneCount(options)
  const lanePrevious = lanes > 0 ? lanePredecessors(analysis, lanes) : undefined
  const jobs: YamlMapping = {}
  const comments: YamlComment[] = []
  // A done phase is no job, but its dependents still wait for what it waits for.
  const waitsFor = needsThroughDone(analysis)
  active.forEach((phase, k) => {
    const { index } = phase
    const jobId = at(activeIds, k)
    const needs = at(waitsFor, phase.index)
      .map(dep => jobIds[dep])
      .filter((id): id is string => id !== undefined)
    const previous =
      lanePrevious === undefined ? -1 : numberAt(lanePrevious, phase.index)
    const laned = laneNeeds(
      needs,
      previous === -1 ? undefined : jobIds[previous]
    )
    let jobNeeds = laned.needs
    let condition = laned.if
    let passed: ((stepId: string) => string) | undefined
    if (hashable !== undefined) {
      // The plan job first; the if: names only the real needs (not the lane's).
      jobNeeds = [PLAN_JOB_ID, ...laned.needs]
      condition = cachedCondition(
        hashable[phase.index] === true ? [phase.id] : undefined,
        at(waitsFor, phase.index).flatMap(dep => {
          const job = jobIds[dep]
          if (job === undefined) return []
          return [
            {
              job,
              unchanged:
                hashable[dep] === true ? [at(phases, dep).id] : undefined
            }
          ]
        })
      )
      if (hashable[phase.index] === true)
        passed = stepId => phasePassedOutput(phase.id, stepId)
    }
    if ((condition?.length ?? 0) > MAX_EXPRESSION_LENGTH) {
      const why =
        hashable === undefined
          ? 'on a worker lane its if: (one check per dependency)'
          : 'with --cache-passed its if: (a check per dependency, naming it when it can be unchanged)'
      problems.push({
        code: 'too-large',
        severity: 'error',
        message: `Phase \`${phase.id}\` has ${needs.length} dependencies: ${why} would be over GitHub's ${MAX_EXPRESSION_LENGTH} characters. ${hashable === undefined ? 'Generate without --max-workers' : 'Generate without --cache-passed'}, or use the waves mode.`,
        file: analysis.plan.file,
        line: phase.position.line,
        column: phase.position.column
      })
    }
    // Outputs travel along direct dependencies only (as in exec): the
    // jobs of its direct dependencies (one that can be unchanged read with
    // the plan job's stored outputs), and whether a phase that runs a
    // command depends on it.
    const inputsFrom = at(analysis.depsOf, index).flatMap(
      (dep): NeededOutputs[] => {
        const job = jobIds[dep]
        if (job === undefined) return []
        return hashable?.[dep] === true
          ? [
              {
                job,
                value: neededOrStoredOutputsValue(job, at(phases, dep).id)
              }
            ]
          : [{ job }]
      }
    )
    const handsOn = at(analysis.dependentsOf, index).some(dependent => {
      const other = at(phases, dependent)
      return !other.done && hasCommand(other)
    })
    jobs[jobId] = phaseJob(
      phase,
      jobNeeds,
      options,
      condition,
      {
        reads: at(analysis.depsOf, index).length > 0,
        inputsFrom,
        handsOn
      },
      passed
    )
    const about = phaseComment(phase)
    const comment: YamlComment = {
      path: ['jobs', jobId],
      spaceBefore: k > 0 || cache
    }
    if (about.length > 0) comment.before = about
    comments.push(comment)
  })
  if (problems.length > 0) {
    return { text: '', bytes: 0, jobIds, problems, notes }
  }
  const checkoutComments = active.map((_, k): YamlComment => ({
    path: ['jobs', at(activeIds, k), 'steps', 0, 'uses'],
    after: CHECKOUT_VERSION
  }))
  const digest = cache ? graphDigest(jobs, options) : undefined
  const text = needsDocument(
    jobs,
    activeIds,
    [...comments, ...checkoutComments],
    needsHeader(options, notes, done, undefined, digest),
    options,
    digest === undefined
      ? { packed: false }
      : { packed: false, cache: cachePassedJobs(activeIds, options, digest) }
  )
  const bytes = utf8Length(text)
  if (bytes > MAX_WORKFLOW_BYTES && canPack) {
    return packToFit(analysis, options, notes, String(bytes))
  }
  if (bytes > MAX_WORKFLOW_BYTES) {
    problems.push(tooLargeProblem(analysis, options, String(bytes)))
    return { text: '', bytes, jobIds, problems, notes }
  }
  return { text, bytes, jobIds, problems, notes }
}
