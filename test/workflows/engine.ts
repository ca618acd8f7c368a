// Plan and settle for the workflow simulation, played with the real schedule
// (src/plan): the plan step's outputs (with or without the fast path), each
// wave job's legs from the matrix GitHub's evaluator hands it, and every
// settle step (settle jobs and the report's) from the inputs it receives —
// as the actions compute them, without the jobs API: a leg's result is what
// the last leg of that phase concluded.
import { roundsRunUpFront, settleThrough } from '../../src/plan/schedule.js'
import type { Packing } from '../../src/plan/packing.js'
import { greenRounds } from '../../src/plan/rounds.js'
import {
  handOutNext,
  isFinished,
  outcomeLists,
  runningPhases,
  type LegResult
} from '../../src/plan/schedule.js'
import {
  isSucceeded,
  decodeLedger,
  encodeLedger
} from '../../src/plan/state.js'
import type { PlanAnalysis } from '../../src/plan/types.js'
import { renderMatrix } from '../../src/render/matrix.js'
import { testLedger, testPacking } from '../support/ledger.js'
import type { Outcome, Result, SettleInputs } from './simulate.js'

export interface Leg {
  /** The wave job that ran it. */
  wave: number
  id: string
}

export interface EngineOptions {
  /** Phases whose legs fail. */
  failing?: readonly string[]
  /** The plan step hands out every round up front (default true). */
  fast?: boolean
}

export class Engine {
  /** Every leg run, in order. */
  readonly legs: Leg[] = []
  private readonly results = new Map<string, LegResult['status']>()
  private readonly failing: Set<string>
  /** Rounds of ready phases, one leg a phase. */
  private readonly packing: Packing

  constructor(
    private readonly analysis: PlanAnalysis,
    private readonly options: EngineOptions = {}
  ) {
    this.failing = new Set(options.failing ?? [])
    this.packing = testPacking(analysis)
  }

  /** The plan step's outputs, as src/actions/plan.ts sets them. */
  plan(): Outcome {
    const start = testLedger(this.analysis, { maxWorkers: 256 })
    const { ledger, round } = handOutNext(this.analysis, start, {
      attempt: 1,
      packing: this.packing
    })
    const rounds = greenRounds(this.analysis, start.statuses, this.packing, 1)
    const fast = this.options.fast !== false && rounds.length > 0
    return {
      result: 'success',
      outputs: {
        matrix: renderMatrix(this.analysis, round),
        state: encodeLedger(
          fast ? { ...ledger, fastRounds: rounds.length } : ledger
        ),
        'has-work': String(round.length > 0),
        'max-workers': '256',
        matrices: fast
          ? `[${rounds.map(r => renderMatrix(this.analysis, r)).join(',')}]`
          : '[]',
        'fast-rounds': String(fast ? rounds.length : 0)
      }
    }
  }

  /** Runs the legs of wave job `wave`: failure when any leg failed. */
  wave(wave: number, matrix: unknown): Result {
    const include = (matrix as { include?: { id: string }[] } | null)?.include
    if (include === undefined || include.length === 0) {
      throw new Error(`wave-${wave} got no legs: ${JSON.stringify(matrix)}`)
    }
    let result: Result = 'success'
    for (const { id } of include) {
      this.legs.push({ wave, id })
      const failed = this.failing.has(id)
      this.results.set(id, failed ? 'failed' : 'succeeded')
      if (failed) result = 'failure'
    }
    return result
  }

  /**
   * A settle step, as src/actions/settle.ts computes it: its `failure` is
   * the report's verdict when the run is over (allow-failure aside).
   */
  settle(inputs: SettleInputs): Outcome {
    const before = decodeLedger(inputs.state ?? '')
    let ledger = before
    if (!isFinished(before)) {
      const upFront = roundsRunUpFront(
        this.analysis,
        before,
        Number(inputs['rounds-run'] ?? '0'),
        this.packing
      )
      const id = (index: number): string =>
        this.analysis.plan.phases[index]?.id ?? ''
      const caught = settleThrough(
        this.analysis,
        before,
        upFront.length,
        index => ({
          index,
          status: this.results.get(id(index)) ?? 'missing'
        }),
        this.packing
      )
      ledger = handOutNext(this.analysis, caught.ledger, {
        attempt: 1,
        packing: this.packing
      }).ledger
    }
    const round = runningPhases(ledger)
    const lists = outcomeLists(this.analysis, ledger)
    const green = isFinished(ledger) && ledger.statuses.every(isSucceeded)
    const red = isFinished(ledger) && !green
    return {
      result: red && inputs['allow-failure'] !== 'true' ? 'failure' : 'success',
      outputs: {
        matrix: renderMatrix(this.analysis, round),
        state: encodeLedger(ledger),
        'has-work': String(round.length > 0),
        succeeded: JSON.stringify(lists.succeeded),
        failed: JSON.stringify(lists.failed),
        skipped: JSON.stringify(lists.skipped)
      }
    }
  }
}
