// The packed needs graph (`generate --max-jobs N`) and one of its jobs.
import { needsThroughDone } from '../plan/skips.js'
import { hashablePhases } from '../plan/input-hash.js'
import { DEFAULT_JOB_START_MINUTES, phaseDurations } from '../plan/durations.js'
import {
  outputNeeds,
  partitionJobs,
  type JobPartition
} from '../plan/job-partition.js'
import { LEG_ID_BYTES, LEG_TIMEOUT_MARGIN_MINUTES } from '../plan/packing.js'
import { at } from '../plan/at.js'
import type { PlanAnalysis, Problem, Phase } from '../plan/types.js'
import {
  jobIdsFor,
  needsDocument,
  GATE_JOB_ID,
  needsHeader
} from './needs-document.js'
import {
  cachedCondition,
  graphDigest,
  type NeededJob,
  type UnchangedIds,
  EXEC_UNCHANGED_INPUT,
  PACKED_PASSED_OUTPUT,
  RUN_STEP_ID,
  cachePassedJobs,
  keepsOutputs
} from './needs-passed.js'
import {
  cachePassedProblems,
  MAX_WORKFLOW_BYTES,
  tooLargeProblem,
  utf8Length
} from './needs-limits.js'
import {
  MAX_EXPRESSION_LENGTH,
  escapeExpressions,
  CHECKOUT_VERSION,
  cancelStep,
  CHECKOUT_ACTION,
  setJobRunner,
  neededOutputsEnv,
  PHASE_OUTPUTS_VALUE,
  type NeedsWorkflow,
  type NeedsWorkflowOptions,
  PLAN_JOB_ID,
  SAVE_JOB_ID
} from './needs-jobs.js'
import {
  type YamlMapping,
  type YamlValue,
  toWorkflowYaml,
  type YamlComment
} from './yaml.js'
import { DEFAULT_PLAN_PATH } from '../actions/constants.js'
import { timeoutWithRetries } from '../plan/types.js'
import { EXEC_ACTION_REF } from './waves-jobs.js'
import { templateSetupSteps } from './workflow-template.js'

// The packed needs graph: the phases that run, grouped into jobs
// (src/plan/job-partition.ts), each job running its phases with the exec
// action and needing the jobs that hold its phases' dependencies, then the
// gate. `generate --max-jobs N` asks for at most N jobs; a plan whose
// one-job-per-phase workflow would be over GitHub's 500 KB is packed
// instead of refused (packToFit), with a note saying so. Pure.
// O((V + E) log V) per rendering; packToFit renders at most a few times.

/** Renderings packToFit tries before it gives up. */
const FIT_ATTEMPTS = 8
/** packToFit aims this far below the limit, so one more rendering is rarely needed. */
const FIT_MARGIN = 0.97

/** Why a plan cannot be packed: exec must read it from the repository. */
function planPathProblem(
  analysis: PlanAnalysis,
  options: NeedsWorkflowOptions
): Problem | undefined {
  const plan = options.invocation.plan
  if (plan !== '-' && !plan.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(plan)) {
    return undefined
  }
  return {
    code: 'too-large',
    severity: 'error',
    message: `Packed jobs run their phases with exec, which reads the plan from the repository: give the plan as a path inside it (--plan .prd_runner/phase_plan.yaml), not ${plan === '-' ? 'standard input' : `the absolute path ${plan}`}.`,
    file: analysis.plan.file,
    line: 1,
    column: 1
  }
}

/** The packing of the plan's phases into at most `maxJobs` jobs. */
function partitionOf(analysis: PlanAnalysis, maxJobs: number): JobPartition {
  const { phases } = analysis.plan
  return partitionJobs({
    predsOf: needsThroughDone(analysis),
    skip: phases.map(phase => phase.done),
    runnerKey: phases.map(phase =>
      phase.runsOn === undefined ? '' : JSON.stringify(phase.runsOn)
    ),
    idBytes: phases.map(phase => idBytes(phase.id)),
    maxIdBytes: LEG_ID_BYTES,
    minutes: phaseDurations(analysis.plan).minutes,
    jobStart: DEFAULT_JOB_START_MINUTES,
    maxJobs
  })
}

/** Bytes of a phase id in exec's `phases` input: quoted, and a comma. */
function idBytes(id: string): number {
  return utf8Length(JSON.stringify(id)) + 1
}

/**
 * The packed workflow with at most `maxJobs` jobs (when runners allow).
 * @param why set when packing stands in for a too-large workflow: its size
 */
export function packedNeedsWorkflow(
  analysis: PlanAnalysis,
  options: NeedsWorkflowOptions,
  maxJobs: number,
  notes: string[],
  why?: string
): NeedsWorkflow {
  const pathProblem = planPathProblem(analysis, options)
  if (pathProblem !== undefined) {
    return {
      text: '',
      bytes: 0,
      jobIds: analysis.plan.phases.map(() => undefined),
      problems: [pathProblem],
      notes
    }
  }
  return renderPartition(
    analysis,
    options,
    partitionOf(analysis, maxJobs),
    maxJobs,
    notes,
    why
  )
}

interface PackedJobs {
  ids: string[]
  jobIds: (string | undefined)[]
  jobs: YamlMapping
}

/** Whether the workflow has the plan and save jobs of --cache-passed. */
function cached(
  options: NeedsWorkflowOptions,
  partition: JobPartition
): boolean {
  return options.invocation.cachePassed === true && partition.jobs.length > 0
}

/**
 * The ids of `indices` that are no dependency (reached through done
 * phases) of another of them: the unchanged phases are closed under
 * dependencies, so these being unchanged means all are. Undefined when one
 * has no hash (then not all can be unchanged). O(what is below them).
 */
function topIds(
  analysis: PlanAnalysis,
  indices: readonly number[],
  preds: readonly (readonly number[])[],
  hashable: readonly boolean[]
): UnchangedIds {
  const among = new Set(indices)
  const below = new Set<number>()
  // Everything below the set, each phase visited once: a phase of the set
  // reached from another is below it.
  const seen = new Set<number>()
  const pending = indices.flatMap(index => at(preds, index))
  while (pending.length > 0) {
    const pred = pending.pop() ?? 0
    if (seen.has(pred)) continue
    seen.add(pred)
    if (among.has(pred)) below.add(pred)
    pending.push(...at(preds, pred))
  }
  const top = indices.filter(index => !below.has(index))
  return top.every(index => hashable[index] === true)
    ? top.map(index => at(analysis.plan.phases, index).id)
    : undefined
}

/**
 * A packed job's `if:` with --cache-passed. The job is skipped when all its
 * phases are unchanged (its phases no other of it waits for: `own`); it
 * runs when, for each job it needs, that job succeeded or every phase of it
 * its own phases wait for is unchanged — exec skips its unchanged phases,
 * so a dependency in a job that failed elsewhere, or was skipped as
 * unchanged, still counts when it is unchanged. When the own test would
 * take more than MAX_OWN_TESTS ids, or make the expression too long, it is
 * left out (the job then starts and exec runs none of its unchanged
 * phases); the needs' tests never are.
 * O(V + E) per job at worst.
 */
function packedCondition(
  analysis: PlanAnalysis,
  partition: JobPartition,
  k: number,
  ids: readonly string[],
  jobOf: ReadonlyMap<number, number>,
  preds: readonly (readonly number[])[],
  hashable: readonly boolean[]
): string {
  const job = at(partition.jobs, k)
  const waitedFor = new Map<number, Set<number>>()
  for (const index of job) {
    for (const pred of at(preds, index)) {
      const other = jobOf.get(pred)
      if (other === undefined || other === k) continue
      const set = waitedFor.get(other) ?? new Set<number>()
      set.add(pred)
      waitedFor.set(other, set)
    }
  }
  const needs: NeededJob[] = at(partition.needs, k).map(need => ({
    job: at(ids, need),
    unchanged: topIds(
      analysis,
      [...(waitedFor.get(need) ?? [])],
      preds,
      hashable
    )
  }))
  const own = topIds(analysis, job, preds, hashable)
  if (own !== undefined && own.length > MAX_OWN_TESTS) {
    return cachedCondition(undefined, needs)
  }
  const condition = cachedCondition(own, needs)
  return condition.length > MAX_EXPRESSION_LENGTH
    ? cachedCondition(undefined, needs)
    : condition
}

/**
 * A packed job is skipped as unchanged only when that takes at most this
 * many tests (its phases no other of it waits for: one for a chain). A
 * job of many branches starts instead, and exec runs none of its
 * unchanged phases: a few seconds of a runner, against bytes in every
 * `if:` that would crowd a 5,000-phase graph out of GitHub's 500 KB.
 */
const MAX_OWN_TESTS = 8

function packedJobs(
  analysis: PlanAnalysis,
  options: NeedsWorkflowOptions,
  partition: JobPartition,
  only?: number
): PackedJobs {
  const { phases } = analysis.plan
  const jobIds: (string | undefined)[] = phases.map(() => undefined)
  const cache = cached(options, partition)
  const ids = jobIdsFor(
    partition.jobs.map(job => at(phases, at(job, 0)).id),
    cache ? [GATE_JOB_ID, PLAN_JOB_ID, SAVE_JOB_ID] : [GATE_JOB_ID]
  )
  const jobOf = new Map<number, number>()
  partition.jobs.forEach((job, k) => {
    for (const index of job) {
      jobIds[index] = ids[k]
      jobOf.set(index, k)
    }
  })
  const hashable = cache ? hashablePhases(analysis) : undefined
  const preds = cache ? needsThroughDone(analysis) : []
  const jobs: YamlMapping = {}
  // Only a job another job (or the store: keepsOutputs) needs hands on
  // its phases' outputs.
  const reads = outputNeeds(partition, analysis.depsOf)
  const needed = new Set(reads.flat())
  partition.jobs.forEach((job, k) => {
    if (only !== undefined && k !== only) return
    const needs = at(reads, k).map(need => at(ids, need))
    let packedCache: PackedCache | undefined
    if (hashable !== undefined) {
      packedCache = {
        condition: packedCondition(
          analysis,
          partition,
          k,
          ids,
          jobOf,
          preds,
          hashable
        ),
        hashable: job.some(index => hashable[index] === true)
      }
    }
    jobs[at(ids, k)] = packedJob(
      job.map(index => at(phases, index)),
      needs,
      options.invocation.plan,
      options,
      packedCache,
      needed.has(k) || keepsOutputs(analysis, hashable, job)
    )
  })
  return { ids, jobIds, jobs }
}

/** A packed job whose if: GitHub would refuse as too long an expression. */
function longConditionProblems(
  analysis: PlanAnalysis,
  jobs: YamlMapping
): Problem[] {
  const problems: Problem[] = []
  for (const [id, job] of Object.entries(jobs)) {
    const condition =
      typeof job === 'object' && job !== null && !Array.isArray(job)
        ? job['if']
        : undefined
    if (
      typeof condition === 'string' &&
      condition.length > MAX_EXPRESSION_LENGTH
    ) {
      problems.push({
        code: 'too-large',
        severity: 'error',
        message: `With --cache-passed the packed job ${id} would have an if: over GitHub's ${MAX_EXPRESSION_LENGTH} characters (a check for each job it needs, naming the phases of it that its own phases wait for). Give a larger --max-jobs, generate without --cache-passed, or use the waves mode.`,
        file: analysis.plan.file,
        line: 1,
        column: 1
      })
    }
  }
  return problems
}

function renderPartition(
  analysis: PlanAnalysis,
  options: NeedsWorkflowOptions,
  partition: JobPartition,
  maxJobs: number,
  notes: string[],
  why?: string
): NeedsWorkflow {
  const { phases } = analysis.plan
  const { ids, jobIds, jobs } = packedJobs(analysis, options, partition)
  const packed = { jobs: ids.length, exact: partition.exact }
  const cache = cached(options, partition)
  if (cache) {
    const hashable = hashablePhases(analysis)
    const problems = [
      ...longConditionProblems(analysis, jobs),
      ...cachePassedProblems(
        analysis,
        options,
        partition.jobs.map(job =>
          job
            .filter(index => hashable[index] === true)
            .map(index => at(phases, index))
        ),
        true
      )
    ]
    if (problems.length > 0) {
      return { text: '', bytes: 0, jobIds, packed, problems, notes }
    }
  }
  const allNotes = [...notes]
  if (why !== undefined) {
    allNotes.push(
      `One job per phase would be ${why} bytes, over GitHub's ${MAX_WORKFLOW_BYTES} (500 KB): the ${jobIds.filter(id => id !== undefined).length} phases are packed into ${ids.length} job${ids.length === 1 ? '' : 's'} run by exec, as generate --max-jobs ${ids.length} does.`
    )
  } else if (ids.length > maxJobs) {
    allNotes.push(
      `--max-jobs ${maxJobs} is not reached: phases with different runs-on never share a job, and ${ids.length} jobs is the fewest this plan packs into.`
    )
  }
  const comments: YamlComment[] = []
  ids.forEach((jobId, k) => {
    comments.push(
      { path: ['jobs', jobId], spaceBefore: k > 0 || cache },
      { path: ['jobs', jobId, 'steps', 0, 'uses'], after: CHECKOUT_VERSION }
    )
  })
  const done = phases.filter(phase => phase.done)
  const digest = cache ? graphDigest(jobs, options) : undefined
  const text = needsDocument(
    jobs,
    ids,
    comments,
    needsHeader(options, allNotes, done, packed, digest),
    options,
    digest === undefined
      ? { packed: true }
      : { packed: true, cache: cachePassedJobs(ids, options, digest) }
  )
  const bytes = utf8Length(text)
  if (bytes > MAX_WORKFLOW_BYTES) {
    return {
      text: '',
      bytes,
      jobIds,
      packed,
      problems: [tooLargeProblem(analysis, options, String(bytes), packed)],
      notes: allNotes
    }
  }
  return { text, bytes, jobIds, packed, problems: [], notes: allNotes }
}

/**
 * About how many bytes the packed workflow of `partition` takes: the first
 * job rendered alone gives the bytes every job has (its steps, the
 * template's parts), each job's ids, needs and gate line are added by
 * length. Guides packToFit; the rendering decides. O(V + E_J).
 */
function estimatedBytes(
  analysis: PlanAnalysis,
  options: NeedsWorkflowOptions,
  partition: JobPartition
): number {
  const sample = packedJobs(analysis, options, partition, 0)
  const first = sample.ids[0]
  if (first === undefined) return 0
  const variable = (k: number): number => {
    const id = at(sample.ids, k)
    let bytes =
      3 * (utf8Length(id) + 1) + String(at(partition.jobs, k).length).length
    for (const need of at(partition.needs, k)) {
      bytes += utf8Length(at(sample.ids, need)) + NEED_LINE_BYTES
    }
    for (const index of at(partition.jobs, k)) {
      bytes += idBytes(at(analysis.plan.phases, index).id)
    }
    return bytes
  }
  const fixed =
    utf8Length(toWorkflowYaml(sample.jobs)) +
    CHECKOUT_VERSION.length +
    PER_JOB_EXTRA_BYTES -
    variable(0)
  let total = WORKFLOW_BASE_BYTES
  for (let k = 0; k < sample.ids.length; k++) total += fixed + variable(k)
  return total
}

/** `      - ` and a line end: one entry of a needs list. */
const NEED_LINE_BYTES = 9
/** The gate's line for a job and the blank line between jobs. */
const PER_JOB_EXTRA_BYTES = 12
/** Header, top-level keys and the gate's own text, about. */
const WORKFLOW_BASE_BYTES = 3_000

/**
 * Packs a plan whose one-job-per-phase workflow is `size` bytes, over the
 * limit: chains first (exact), then fewer jobs, each try aiming by the
 * bytes the last one is estimated to take, until the file fits. Renders
 * once, rarely twice.
 */
export function packToFit(
  analysis: PlanAnalysis,
  options: NeedsWorkflowOptions,
  notes: string[],
  size: string
): NeedsWorkflow {
  if (planPathProblem(analysis, options) !== undefined) {
    return packedNeedsWorkflow(analysis, options, Infinity, notes, size)
  }
  const goal = MAX_WORKFLOW_BYTES * FIT_MARGIN
  let maxJobs = Infinity
  let result: NeedsWorkflow | undefined
  for (let attempt = 1; attempt <= FIT_ATTEMPTS; attempt++) {
    const partition = partitionOf(analysis, maxJobs)
    const jobs = partition.jobs.length
    let bytes = estimatedBytes(analysis, options, partition)
    if (bytes <= goal || jobs <= 1 || attempt === FIT_ATTEMPTS) {
      result = renderPartition(
        analysis,
        options,
        partition,
        maxJobs,
        notes,
        size
      )
      if (result.problems.length === 0 || jobs <= 1) return result
      bytes = result.bytes
    }
    // Fewer jobs in proportion to the bytes over the goal.
    const perJob = Math.max(1, (bytes - WORKFLOW_BASE_BYTES) / jobs)
    maxJobs = Math.max(
      1,
      Math.min(jobs - 1, Math.floor(jobs - (bytes - goal) / perJob))
    )
  }
  return result ?? packedNeedsWorkflow(analysis, options, maxJobs, notes, size)
}

// One job of a packed needs graph (`generate --max-jobs N`): check out, the
// template's setup steps, and the exec action running the job's phases from
// the plan in the workspace, in dependency order, past a failure with the
// phases that do not depend on it. Phase ids travel as one JSON array in
// exec's `phases` input, each `${{` escaped; commands never appear in the
// workflow (exec reads them from the plan). Every byte counts 5,000 phases
// into 500 KB: the two steps go without a `name:` (GitHub shows `Run
// actions/checkout@…` and `Run phase-matrix/phase-matrix/exec@v1`), and
// the plan without `plan:` when it is exec's default. O(length of the
// job's ids).

/** The job's name: its first phase's id, and how many more it runs. */
function packedJobName(phases: readonly Phase[]): string {
  const first = escapeExpressions(phases[0]?.id ?? '')
  return phases.length === 1 ? first : `${first} +${phases.length - 1}`
}

/** With --cache-passed: the job's `if:`, and whether any phase can be unchanged. */
interface PackedCache {
  condition: string
  /** Some phase has a hash: exec gets the unchanged list, the job a `passed` output. */
  hashable: boolean
}

/**
 * @param phases the job's phases, in plan order (one runner)
 * @param needs ids of the jobs holding their (direct) dependencies
 * @param handsOn another job (or the store) needs its `phase-outputs`
 */
function packedJob(
  phases: readonly Phase[],
  needs: readonly string[],
  planPath: string,
  options: NeedsWorkflowOptions,
  cache?: PackedCache,
  handsOn = true
): YamlMapping {
  const pattern = options.template?.phase ?? {}
  const job: YamlMapping = { name: packedJobName(phases) }
  const allNeeds = cache === undefined ? needs : [PLAN_JOB_ID, ...needs]
  if (allNeeds.length > 0) job.needs = [...allNeeds]
  if (cache !== undefined) job.if = cache.condition
  setJobRunner(
    job,
    phases[0]?.runsOn,
    jobTimeout(phases, pattern['timeout-minutes']),
    options
  )
  // What its phases wrote to $PHASE_OUTPUT, for the jobs that need it.
  const outputs: YamlMapping = {}
  if (handsOn) outputs['phase-outputs'] = PHASE_OUTPUTS_VALUE
  const inputs = execInputs(phases, planPath)
  if (cache?.hashable === true) {
    // Which of its phases passed, for the save job; exec skips the unchanged.
    outputs['passed'] = PACKED_PASSED_OUTPUT
    inputs.unchanged = EXEC_UNCHANGED_INPUT
  }
  if (Object.keys(outputs).length > 0) job.outputs = outputs
  const steps: YamlValue[] = [
    { uses: CHECKOUT_ACTION, with: { 'persist-credentials': false } },
    ...templateSetupSteps(options.template),
    {
      id: RUN_STEP_ID,
      uses: EXEC_ACTION_REF,
      // The plan job's too: its phases may read unchanged phases' outputs.
      ...neededOutputsEnv(phases.some(p => p.deps.length > 0) ? allNeeds : []),
      with: inputs
    }
  ]
  if (options.settings.failFast) steps.push(cancelStep())
  job.steps = steps
  return job
}

function execInputs(phases: readonly Phase[], planPath: string): YamlMapping {
  const inputs: YamlMapping = {}
  if (planPath !== DEFAULT_PLAN_PATH) inputs.plan = escapeExpressions(planPath)
  inputs.phases = escapeExpressions(JSON.stringify(phases.map(p => p.id)))
  return inputs
}

/**
 * The phases' timeouts together (each its own, else the template's), plus
 * the margin packed legs get, when every phase has one; else none (GitHub's
 * default). A lone phase keeps its own timeout. O(phases).
 */
function jobTimeout(
  phases: readonly Phase[],
  fallback: YamlValue | undefined
): YamlValue | undefined {
  if (phases.length === 1) {
    const only = phases[0]
    return (
      (only === undefined ? undefined : timeoutWithRetries(only)) ?? fallback
    )
  }
  let sum = 0
  for (const phase of phases) {
    const timeout = timeoutWithRetries(phase) ?? fallback
    if (typeof timeout !== 'number') return undefined
    sum += timeout
  }
  return Math.ceil(sum + LEG_TIMEOUT_MARGIN_MINUTES)
}
