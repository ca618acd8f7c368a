// One meaning of `status: done` everywhere: for random plans with done
// phases anywhere (any case) and random failures, the waves mode (plan and
// settle), the generated needs graph (as GitHub runs it), and every output
// (text, tree, json, plan summary, check report) agree on which phases run,
// which are skipped, and which are done.
import { testPacking } from '../support/ledger.js'
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { parse } from 'yaml'
import { analyzePlan } from '../../src/plan/analyze.js'
import {
  handOutNext,
  isFinished,
  settleRound,
  startLedger,
  type LegResult
} from '../../src/plan/schedule.js'
import {
  DEFAULT_PARALLEL_SETTINGS,
  type PlanAnalysis
} from '../../src/plan/types.js'
import { renderCheckReport } from '../../src/render/check-report.js'
import { planJson } from '../../src/render/json.js'
import {
  GATE_JOB_ID,
  renderNeedsWorkflow
} from '../../src/render/needs-workflow.js'
import { renderPlanSummary } from '../../src/render/plan-summary.js'
import { renderPlanText, renderTree } from '../../src/render/text.js'
import { makePlan, type PhaseSpec } from '../support/make-plan.js'

const STATUSES = ['done', 'Done', 'DONE', ' done', 'pending', 'todo', undefined]

interface Outcomes {
  ran: Set<string>
  skipped: Set<string>
}

/** The waves mode: the plan step's first round, then settle round after round. */
function wavesMode(analysis: PlanAnalysis, fails: Set<string>): Outcomes {
  const ids = analysis.plan.phases.map(p => p.id)
  const options = { attempt: 1, packing: testPacking(analysis) }
  let { ledger, round } = handOutNext(
    analysis,
    startLedger(analysis, {
      digest: '0123456789abcdef',
      planPath: 'plan.yaml',
      maxWorkers: 3,
      failFast: false,
      attempt: 1
    }),
    options
  )
  const ran = new Set<string>()
  while (round.length > 0) {
    const results: LegResult[] = round.map(index => {
      ran.add(ids[index]!)
      return {
        index,
        status: fails.has(ids[index]!) ? 'failed' : 'succeeded'
      }
    })
    ledger = settleRound(analysis, ledger, results)
    ;({ ledger, round } = handOutNext(analysis, ledger, options))
  }
  expect(isFinished(ledger)).toBe(true)
  const skipped = new Set(
    ids.filter((_, i) => ledger.statuses[i] === 'skipped')
  )
  ids.forEach((id, i) => {
    expect(ledger.statuses[i] === 'done').toBe(analysis.plan.phases[i]!.done)
    if (analysis.plan.phases[i]!.done) expect(ran.has(id)).toBe(false)
  })
  return { ran, skipped }
}

/** The generated needs graph as GitHub runs it: a job runs when every job it needs succeeded. */
function needsMode(analysis: PlanAnalysis, fails: Set<string>): Outcomes {
  const generated = renderNeedsWorkflow(analysis, {
    settings: DEFAULT_PARALLEL_SETTINGS,
    invocation: { plan: 'plan.yaml' }
  })
  expect(generated.problems).toEqual([])
  const workflow = parse(generated.text) as {
    jobs: Record<string, { name: string; needs?: string[] }>
  }
  const result = new Map<string, 'success' | 'failure' | 'skipped'>()
  const ran = new Set<string>()
  const skipped = new Set<string>()
  const pending = Object.keys(workflow.jobs).filter(id => id !== GATE_JOB_ID)
  while (pending.length > 0) {
    const next = pending.findIndex(id =>
      (workflow.jobs[id]!.needs ?? []).every(need => result.has(need))
    )
    expect(next).not.toBe(-1)
    const [jobId] = pending.splice(next, 1) as [string]
    const job = workflow.jobs[jobId]!
    const needs = job.needs ?? []
    if (needs.every(need => result.get(need) === 'success')) {
      ran.add(job.name)
      result.set(jobId, fails.has(job.name) ? 'failure' : 'success')
    } else {
      skipped.add(job.name)
      result.set(jobId, 'skipped')
    }
  }
  return { ran, skipped }
}

/** The independent reading: skipped iff some ancestor (through any phase) that runs failed. */
function expected(analysis: PlanAnalysis, fails: Set<string>): Outcomes {
  const { phases } = analysis.plan
  const state: ('done' | 'ok' | 'failed' | 'skipped')[] = []
  const ancestors: Set<number>[] = []
  for (const wave of analysis.waves) {
    for (const i of wave) {
      const set = new Set<number>()
      for (const d of analysis.depsOf[i]!) {
        set.add(d)
        for (const a of ancestors[d]!) set.add(a)
      }
      ancestors[i] = set
    }
  }
  for (const wave of analysis.waves) {
    for (const i of wave) {
      const phase = phases[i]!
      if (phase.done) state[i] = 'done'
      else if ([...ancestors[i]!].some(a => state[a] === 'failed'))
        state[i] = 'skipped'
      else state[i] = fails.has(phase.id) ? 'failed' : 'ok'
    }
  }
  const ids = phases.map(p => p.id)
  return {
    ran: new Set(
      ids.filter((_, i) => state[i] === 'ok' || state[i] === 'failed')
    ),
    skipped: new Set(ids.filter((_, i) => state[i] === 'skipped'))
  }
}

/** Ids each output marks as done. */
function doneMarks(analysis: PlanAnalysis): Record<string, string[]> {
  const text = renderPlanText(analysis)
  const tree = renderTree(analysis)
  const summary = renderPlanSummary(analysis, {
    rounds: 1,
    maxWorkers: 0,
    failFast: false,
    legLimit: 256,
    maxBytes: 1024 * 1024
  })
  const report = renderCheckReport({
    planFile: 'plan.yaml',
    problems: [],
    analysis
  })
  const marked = (pattern: RegExp, from: string) =>
    [...from.matchAll(pattern)].map(m => m[1]!).sort()
  return {
    text: marked(/• (\S+) \(done\)/g, text),
    tree: [...new Set(marked(/─ (\S+) \(done\)/g, tree))],
    json: planJson(analysis)
      .phases.filter(p => p.done === true)
      .map(p => p.id)
      .sort(),
    summary: marked(/(p\d+) \(done\)/g, summary),
    check: marked(/`(p\d+)` \(done\)/g, report)
  }
}

const plans = fc.integer({ min: 1, max: 12 }).chain(count =>
  fc.record({
    count: fc.constant(count),
    // From a lower to a higher index: a DAG (mapped, not filtered).
    edges: fc.array(
      fc
        .tuple(fc.nat(count - 1), fc.nat(count - 1))
        .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
      { maxLength: 30 }
    ),
    statuses: fc.array(fc.constantFrom(...STATUSES), {
      minLength: count,
      maxLength: count
    }),
    fails: fc.array(fc.nat(count - 1), { maxLength: 4 })
  })
)

describe('one meaning of done', () => {
  test('every mode and output agrees on what runs, what is skipped, what is done', () => {
    fc.assert(
      fc.property(plans, ({ count, edges, statuses, fails }) => {
        const specs: PhaseSpec[] = Array.from({ length: count }, (_, i) => {
          const deps = [
            ...new Set(
              edges
                .filter(([f, to]) => to === i && f !== to)
                .map(([f]) => `p${f}`)
            )
          ]
          const status = statuses[i]
          return status === undefined
            ? { id: `p${i}`, deps }
            : { id: `p${i}`, deps, status }
        })
        const { analysis } = analyzePlan(makePlan(specs))
        const failing = new Set(fails.map(i => `p${i}`))
        const truth = expected(analysis!, failing)
        const waves = wavesMode(analysis!, failing)
        const needs = needsMode(analysis!, failing)
        expect([...waves.ran].sort()).toEqual([...truth.ran].sort())
        expect([...waves.skipped].sort()).toEqual([...truth.skipped].sort())
        expect([...needs.ran].sort()).toEqual([...truth.ran].sort())
        expect([...needs.skipped].sort()).toEqual([...truth.skipped].sort())

        const done = analysis!.plan.phases
          .filter(p => p.done)
          .map(p => p.id)
          .sort()
        expect(done).toEqual(
          specs
            .filter(s => s.status?.trim().toLowerCase() === 'done')
            .map(s => s.id)
            .sort()
        )
        for (const marks of Object.values(doneMarks(analysis!)))
          expect(marks).toEqual(done)
      }),
      { numRuns: 150 }
    )
  })

  test('build → package (Done) → publish: publish needs build in the graph', () => {
    const { analysis } = analyzePlan(
      makePlan([
        { id: 'build' },
        { id: 'package', deps: ['build'], status: 'Done' },
        { id: 'publish', deps: ['package'] }
      ])
    )
    expect(needsMode(analysis!, new Set(['build']))).toEqual({
      ran: new Set(['build']),
      skipped: new Set(['publish'])
    })
    expect(wavesMode(analysis!, new Set(['build']))).toEqual({
      ran: new Set(['build']),
      skipped: new Set(['publish'])
    })
  })
})
