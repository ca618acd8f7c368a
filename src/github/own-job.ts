// Settle's own job among the jobs of the run: by its check run id, else as
// the in-progress job of this attempt on its runner. Its caller prefix then
// says which jobs are the legs of this call of the workflow. What cannot be
// known unambiguously is a JobMatchError, never a guess. O(jobs).
import { JobMatchError } from './job-names.js'
import type { WorkflowJob } from './jobs.js'

/** How settle recognises its own job. */
export interface OwnJobHint {
  /** `job.check_run_id`: the id of the running job in the jobs API. */
  checkRunId?: number
  /** RUNNER_NAME, used when no check run id is given. */
  runnerName?: string
  /** This run attempt: the own job belongs to it. */
  attempt: number
}

/**
 * Settle's own job among the jobs of the run, or undefined when it is not
 * listed (yet). Throws when it cannot be known unambiguously.
 */
export function findOwnJob(
  jobs: readonly WorkflowJob[],
  hint: OwnJobHint
): WorkflowJob | undefined {
  let own: WorkflowJob | undefined
  if (hint.checkRunId !== undefined) {
    own = jobs.find(job => job.id === hint.checkRunId)
    if (own !== undefined && own.run_attempt !== hint.attempt) {
      throw new JobMatchError(
        `Job ${own.id} ('${own.name}'), given as this job's id, belongs to attempt ${own.run_attempt} of the run, not to this attempt ${hint.attempt}. ` +
          "Pass the running job's own id: `job-id: ${{ job.check_run_id }}`."
      )
    }
  } else if (hint.runnerName !== undefined && hint.runnerName !== '') {
    const candidates = jobs.filter(
      job =>
        job.status === 'in_progress' &&
        job.runner_name === hint.runnerName &&
        job.run_attempt === hint.attempt
    )
    if (candidates.length > 1) {
      throw new JobMatchError(
        `${candidates.length} jobs of this run are in progress on runner '${hint.runnerName}' (${candidates.map(job => `'${job.name}' (${job.id})`).join(', ')}): cannot tell which one is this settle job. ` +
          'Pass `job-id: ${{ job.check_run_id }}` to the settle step.'
      )
    }
    own = candidates[0]
  } else {
    throw new JobMatchError(
      'Settle cannot find its own job: no job id was given and RUNNER_NAME is not set. ' +
        'Pass `job-id: ${{ job.check_run_id }}` to the settle step.'
    )
  }
  if (own === undefined) return undefined
  const twins = jobs.filter(
    job =>
      job.name === own.name &&
      job.run_attempt === own.run_attempt &&
      job.id !== own.id
  )
  if (twins.length > 0) {
    throw new JobMatchError(
      `This settle job ('${own.name}', ${own.id}) has a twin of the same name in attempt ${own.run_attempt} (${twins.map(job => job.id).join(', ')}): ` +
        'the workflow is called twice under the same calling job name, so the legs of the two calls cannot be told apart. ' +
        'Give each calling job its own `name:` (a matrix caller: put the matrix values in its name).'
    )
  }
  return own
}

/** Describes how the own job was looked for, for "not found" messages. */
export function describeHint(hint: OwnJobHint): string {
  return hint.checkRunId !== undefined
    ? `job id ${hint.checkRunId}`
    : `the in-progress job of attempt ${hint.attempt} on runner '${hint.runnerName ?? ''}'`
}
