// What a wave job hands settle through `needs`, built as GitHub builds it:
// each leg's exec step writes its record, the job output `leg-<n>` is
// `<job status> <record>` (phases.yml's `format('{0} {1}', job.status,
// steps.exec.outputs.record)`), and GitHub combines the legs' outputs into
// one `needs.<wave>` object, `result` `failure` when any leg failed. Used by
// the in-process settle tests and the whole runs of the bundles.
import {
  encodeLegRecord,
  legDigest,
  legOutputName,
  type Outputs,
  type RecordedStatus
} from '../../src/plan/leg-record.js'
import { ROUND_ENV_PREFIX, type WaveJob } from '../../src/actions/inputs.js'

/** One matrix entry of a round as the plan or settle step hands it out. */
export interface HandedOutLeg {
  id: string
  leg: number
  /** A packed leg's phases; a one-phase leg has only its id. */
  phases?: string[]
}

/** The legs of a `matrix` output. */
export function legsOf(matrix: string | undefined): HandedOutLeg[] {
  return (JSON.parse(matrix ?? '{"include":[]}') as { include: HandedOutLeg[] })
    .include
}

/** The phase ids a leg runs, in the order its record lists them. */
export function phasesOfLeg(leg: HandedOutLeg): string[] {
  return leg.phases ?? [leg.id]
}

export interface LegOutcome {
  /** How each phase ended (default: succeeded). */
  statuses?: Record<string, RecordedStatus>
  /** The leg's job status (default: success when every phase succeeded). */
  jobStatus?: string
  /**
   * The output as the runner sends it: undefined = the record as exec
   * writes it; '' = no output (with `jobStatus`, how the job still ended).
   */
  output?: string
  /** What each phase that succeeded wrote to $PHASE_OUTPUT, by id. */
  outputs?: Record<string, Outputs>
  /** Override of the record's fields (a record of another round, attempt, leg). */
  record?: { round?: number; attempt?: number; leg?: number }
}

/** A leg's job output value, as phases.yml maps it. */
export function legOutput(
  round: number,
  attempt: number,
  leg: HandedOutLeg,
  outcome: LegOutcome = {}
): string {
  if (outcome.output !== undefined) return outcome.output
  const ids = phasesOfLeg(leg)
  const phases = ids.map((id, position) => ({
    status: outcome.statuses?.[id] ?? 'succeeded',
    start: 1_765_000_000_000 + position * 60_000,
    end: 1_765_000_000_000 + position * 60_000 + 42_000
  }))
  const written = Object.fromEntries(
    ids.flatMap(id => {
      const outputs = outcome.outputs?.[id]
      return outputs === undefined ? [] : [[id, outputs] as const]
    })
  )
  const green = phases.every(phase => phase.status === 'succeeded')
  const record = encodeLegRecord({
    round: outcome.record?.round ?? round,
    attempt: outcome.record?.attempt ?? attempt,
    leg: outcome.record?.leg ?? leg.leg,
    digest: legDigest(ids),
    phases,
    outputs: written
  })
  return `${outcome.jobStatus ?? (green ? 'success' : 'failure')} ${record}`
}

/**
 * `needs.<wave job>` for a round: every leg's output (an empty one is not
 * sent), `result` failure when any leg's job did not succeed.
 */
export function waveJob(
  round: number,
  attempt: number,
  legs: readonly HandedOutLeg[],
  outcomes: (leg: HandedOutLeg) => LegOutcome = () => ({})
): WaveJob {
  const outputs: Record<string, string> = {}
  let result = 'success'
  for (const leg of legs) {
    const outcome = outcomes(leg)
    const value = legOutput(round, attempt, leg, outcome)
    // No output at all: the job's status is only in `result`.
    const jobStatus =
      value === ''
        ? (outcome.jobStatus ?? 'failure')
        : (value.split(' ')[0] ?? '')
    if (jobStatus === 'cancelled' && result === 'success') result = 'cancelled'
    if (jobStatus !== 'success' && jobStatus !== 'cancelled') result = 'failure'
    if (value !== '') outputs[legOutputName(leg.leg)] = value
  }
  return { result, outputs }
}

/** The settle step's env for these rounds (1-based round → its wave job). */
export function roundEnv(
  rounds: ReadonlyMap<number, WaveJob>
): Record<string, string> {
  return Object.fromEntries(
    [...rounds].map(([round, job]) => [
      `${ROUND_ENV_PREFIX}${round}`,
      JSON.stringify(job, null, 2)
    ])
  )
}
