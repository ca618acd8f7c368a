// `generate --cache-passed`, run as GitHub would run it: every `if:`, job
// output and gate env value evaluated by GitHub's own evaluator, the gate's
// script really run in bash, packed jobs' exec played with the unchanged
// list it gets. On random plans (inputs here and there, done phases, a
// random store, random failures), one job per phase, on worker lanes and
// packed: an unchanged phase never runs, a phase runs exactly when each of
// its dependencies passed in this run or is unchanged, the gate is green
// exactly when every phase passed or is unchanged, and the save job is
// handed exactly the phases that passed in this run.
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { data, Lexer, Parser } from '@actions/expressions'
import type { FunctionDefinition } from '@actions/expressions/funcs/info'
import fc from 'fast-check'
import { parse } from 'yaml'
import { analyzePlan } from '../../src/plan/analyze.js'
import { needsThroughDone } from '../../src/plan/skips.js'
import { hashablePhases, inputHashes } from '../../src/plan/input-hash.js'
import {
  earlierOutputs,
  legOrder,
  NEEDS_ENV,
  readNeededOutputs
} from '../../src/plan/leg-inputs.js'
import { unchangedPhases } from '../../src/plan/passed-store.js'
import {
  DEFAULT_PARALLEL_SETTINGS,
  type PlanAnalysis
} from '../../src/plan/types.js'
import { PLAN_JOB_ID, SAVE_JOB_ID } from '../../src/render/needs-jobs.js'
import {
  cachedCondition,
  expressionString
} from '../../src/render/needs-passed.js'
import {
  GATE_JOB_ID,
  renderNeedsWorkflow
} from '../../src/render/needs-workflow.js'
import { evaluateExpression } from '../support/github-expressions.js'
import { makePlan, type PhaseSpec } from '../support/make-plan.js'
import { actionlint, githubParserErrors } from '../workflows/github.js'

type Result = 'success' | 'failure' | 'skipped'

interface Step {
  id?: string
  name?: string
  uses?: string
  run?: string
  if?: string
  env?: Record<string, string>
  with?: Record<string, string>
}

interface Job {
  name: string
  needs?: string[]
  if?: string
  outputs?: Record<string, string>
  steps: Step[]
}

interface Mode {
  lanes?: number
  maxJobs?: number
}

function render(analysis: PlanAnalysis, mode: Mode): string {
  const result = renderNeedsWorkflow(analysis, {
    settings: { ...DEFAULT_PARALLEL_SETTINGS, maxWorkers: mode.lanes ?? 0 },
    invocation: {
      plan: 'plan.yaml',
      cachePassed: true,
      ...(mode.lanes === undefined ? {} : { maxWorkers: mode.lanes }),
      ...(mode.maxJobs === undefined ? {} : { maxJobs: mode.maxJobs })
    }
  })
  expect(result.problems).toEqual([])
  return result.text
}

const statusFunction = (name: string, value: boolean): FunctionDefinition => ({
  name,
  minArgs: 0,
  maxArgs: 0,
  call: () => new data.BooleanData(value)
})

/** A value GitHub evaluates: `${{ x }}` as an expression, else the text. */
function evaluate(value: string, context: Record<string, unknown>): unknown {
  const match = /^\$\{\{ (.*) \}\}$/s.exec(value)
  if (match === null) {
    expect(value).not.toContain('${{')
    return value
  }
  return evaluateExpression(match[1] ?? '', context, [
    statusFunction('success', true),
    statusFunction('failure', false),
    statusFunction('cancelled', false),
    statusFunction('always', true)
  ])
}

/** An `if:`: an expression, with or without `${{ }}` around it. */
function evaluateIf(value: string, context: Record<string, unknown>): boolean {
  const wrapped = /^\$\{\{ (.*) \}\}$/s.test(value)
  const result = evaluate(wrapped ? value : `\${{ ${value} }}`, context)
  return result === true
}

/**
 * Every `${{ … }}` in the strings of a parsed workflow, found as GitHub's
 * template reader finds them: the end is the first `}}` outside a string
 * literal.
 */
function expressionsIn(value: unknown): string[] {
  const found: string[] = []
  const pending: unknown[] = [value]
  while (pending.length > 0) {
    const item = pending.pop()
    if (Array.isArray(item)) pending.push(...(item as unknown[]))
    else if (typeof item === 'object' && item !== null)
      pending.push(...Object.values(item as Record<string, unknown>))
    else if (typeof item === 'string') {
      let start = item.indexOf('${{')
      while (start !== -1) {
        let inString = false
        let end = -1
        for (let i = start + 3; i < item.length; i++) {
          if (item[i] === "'") inString = !inString
          else if (!inString && item[i] === '}' && item[i - 1] === '}') {
            end = i
            break
          }
        }
        expect(end).toBeGreaterThan(start)
        found.push(item.slice(start + 3, end - 1))
        start = item.indexOf('${{', end)
      }
    }
  }
  return found
}

/** Escaped plan text as GitHub shows it (every `${{` was written as an expression). */
function unescape(text: string): string {
  return text.replaceAll("${{ '${{' }}", '${{')
}

function asString(value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** How a simulated run went. */
interface Run {
  /** Phase id → what happened to it. */
  phases: Map<string, 'ran-succeeded' | 'ran-failed' | 'not-run'>
  jobs: Map<string, Result>
  gateGreen: boolean
  gateLog: string
  /** The ids the save job hands settle (graph-passed), or undefined when it did not run. */
  saved?: string[]
  /** What the save job collects for settle (graph-outputs-file), merged. */
  savedOutputs?: Record<string, unknown>
  /** Phase id → the $PHASE_INPUTS it ran with. */
  inputs: Map<string, Record<string, unknown>>
}

// Outputs: a phase that runs and passes writes `v=<id>@run`; an unchanged
// one was stored with `v=<id>@stored`, which the plan step hands on.
const ranOutputs = (id: string): Record<string, string> => ({ v: `${id}@run` })
const storedOutputs = (id: string): Record<string, string> => ({
  v: `${id}@stored`
})

/** Members of `{…}` JSON texts in one object, as the plain job's bash joins them. */
function joined(values: readonly unknown[]): Record<string, unknown> {
  const all: Record<string, unknown> = {}
  for (const value of values) {
    const text = asString(value)
    if (text !== '')
      Object.assign(all, JSON.parse(text) as Record<string, unknown>)
  }
  return all
}

/**
 * Runs the workflow's jobs in needs order. The plan job succeeds with
 * `unchanged`; a phase fails when it is in `failing`; a packed job runs
 * its phases as exec does (unchanged ones not run, in-job dependents of a
 * failure skipped).
 */
function runWorkflow(
  text: string,
  analysis: PlanAnalysis,
  unchanged: readonly string[],
  failing: ReadonlySet<string>
): Run {
  const jobs = (parse(text) as { jobs: Record<string, Job> }).jobs
  const results = new Map<string, { result: Result; outputs: object }>()
  const phases: Run['phases'] = new Map()
  const run: Run = {
    phases,
    jobs: new Map(),
    gateGreen: false,
    gateLog: '',
    inputs: new Map()
  }
  const visit = (id: string): { result: Result; outputs: object } => {
    const known = results.get(id)
    if (known !== undefined) return known
    const job = jobs[id]!
    const needs: Record<string, { result: Result; outputs: object }> = {}
    for (const need of job.needs ?? []) needs[need] = visit(need)
    let outcome: { result: Result; outputs: object }
    if (id === PLAN_JOB_ID) {
      // The plan step's outputs, through the job's own output expressions.
      const steps = {
        plan: {
          outputs: {
            unchanged: JSON.stringify(unchanged),
            state: 'STATE',
            'phase-outputs': JSON.stringify(
              Object.fromEntries(unchanged.map(id => [id, storedOutputs(id)]))
            )
          }
        }
      }
      outcome = {
        result: 'success',
        outputs: Object.fromEntries(
          Object.entries(job.outputs ?? {}).map(([name, value]) => [
            name,
            asString(evaluate(value, { steps }))
          ])
        )
      }
    } else if (job.if !== undefined && !evaluateIf(job.if, { needs })) {
      outcome = { result: 'skipped', outputs: {} }
    } else if (id === GATE_JOB_ID) {
      // The verdict step (the one without an if:; cancelled() is false here).
      const step = job.steps.find(
        s => s.run !== undefined && s.if === undefined
      )!
      const env = Object.fromEntries(
        Object.entries(step.env ?? {}).map(([name, value]) => [
          name,
          asString(evaluate(value, { needs }))
        ])
      )
      const bash = spawnSync(
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!],
        {
          env: { PATH: process.env['PATH'] ?? '', ...env },
          encoding: 'utf8'
        }
      )
      run.gateGreen = bash.status === 0
      run.gateLog = bash.stdout + bash.stderr
      outcome = { result: run.gateGreen ? 'success' : 'failure', outputs: {} }
    } else if (id === SAVE_JOB_ID) {
      const settle = job.steps.find(
        s => s.with?.['graph-passed'] !== undefined
      )!
      const value = asString(evaluate(settle.with!['graph-passed']!, { needs }))
      const perJob = JSON.parse(value) as (string | null)[]
      run.saved = perJob
        .filter((v): v is string => typeof v === 'string' && v !== '')
        .flatMap(v => JSON.parse(v) as string[])
      // The file the collecting step's here-document writes.
      const collect = job.steps.find(s => s.run?.includes('graph-outputs'))!
      const [expression] = /\$\{\{ .* \}\}/.exec(collect.run!) ?? ['']
      run.savedOutputs = joined(
        JSON.parse(asString(evaluate(expression, { needs }))) as unknown[]
      )
      outcome = { result: 'success', outputs: {} }
    } else {
      outcome = runPhaseJob(job, needs, analysis, unchanged, failing, run)
    }
    results.set(id, outcome)
    run.jobs.set(id, outcome.result)
    return outcome
  }
  Object.keys(jobs).forEach(visit)
  return run
}

function runPhaseJob(
  job: Job,
  needs: Record<string, unknown>,
  analysis: PlanAnalysis,
  unchanged: readonly string[],
  failing: ReadonlySet<string>,
  run: Run
): { result: Result; outputs: object } {
  const { phases } = run
  const step = job.steps.find(s => s.id === 'x' || s.run !== undefined)!
  const exec = step.with?.['phases']
  let ids: string[]
  let skip = new Set<string>()
  if (exec !== undefined && job.outputs?.['passed']?.includes('succeeded')) {
    ids = JSON.parse(unescape(exec)) as string[]
    skip = new Set(
      JSON.parse(
        asString(evaluate(step.with!['unchanged']!, { needs }))
      ) as string[]
    )
  } else {
    ids =
      exec === undefined
        ? [unescape(job.name)]
        : (JSON.parse(unescape(exec)) as string[])
  }
  const toRun = ids.filter(id => !skip.has(id))
  const waitsFor = needsThroughDone(analysis)
  const failedHere = new Set<string>()
  const succeeded: string[] = []
  for (const index of legOrder(analysis, toRun)) {
    const phase = analysis.plan.phases[index]!
    const blocked = (waitsFor[index] ?? []).some(dep =>
      failedHere.has(analysis.plan.phases[dep]!.id)
    )
    if (blocked) {
      failedHere.add(phase.id)
      continue
    }
    run.inputs.set(
      phase.id,
      inputsOfPhase(job, needs, index, analysis, succeeded)
    )
    if (failing.has(phase.id)) {
      failedHere.add(phase.id)
      phases.set(phase.id, 'ran-failed')
    } else {
      succeeded.push(phase.id)
      phases.set(phase.id, 'ran-succeeded')
    }
  }
  const ok = failedHere.size === 0
  const context = {
    needs,
    // x: exec, or the hand-on step after the command; c: a plain command.
    steps: {
      x: {
        outcome: ok ? 'success' : 'failure',
        conclusion: ok ? 'success' : 'failure',
        outputs: {
          succeeded: JSON.stringify(succeeded),
          'phase-outputs': JSON.stringify(
            Object.fromEntries(succeeded.map(id => [id, ranOutputs(id)]))
          )
        }
      },
      c: {
        outcome: ok ? 'success' : 'failure',
        conclusion: ok ? 'success' : 'failure',
        outputs: {}
      }
    }
  }
  const outputs = Object.fromEntries(
    Object.entries(job.outputs ?? {}).map(([name, value]) => [
      name,
      asString(evaluate(value, context))
    ])
  )
  return { result: ok ? 'success' : 'failure', outputs }
}

/**
 * The $PHASE_INPUTS a phase of the job runs with: a plain job's from its
 * setup step's env (each value's members joined), a job run by exec's from
 * its env PHASE_MATRIX_NEEDS and the job's own phases that passed before
 * it (exec's rule: its direct dependencies' entries).
 */
function inputsOfPhase(
  job: Job,
  needs: Record<string, unknown>,
  index: number,
  analysis: PlanAnalysis,
  passedHere: readonly string[]
): Record<string, unknown> {
  const setup = job.steps.find(s => s.name?.startsWith('Set up $PHASE_INPUTS'))
  if (setup !== undefined)
    return joined(
      Object.values(setup.env ?? {}).map(value => evaluate(value, { needs }))
    )
  const exec = job.steps.find(s => s.id === 'x' && s.uses !== undefined)
  if (exec === undefined) return {}
  const list = exec.env?.[NEEDS_ENV]
  const earlier = earlierOutputs(
    new Map(),
    undefined,
    readNeededOutputs(
      list === undefined
        ? {}
        : { [NEEDS_ENV]: asString(evaluate(list, { needs })) }
    )
  )
  const inputs: Record<string, unknown> = {}
  for (const dep of analysis.depsOf[index] ?? []) {
    const id = analysis.plan.phases[dep]!.id
    const value = passedHere.includes(id) ? ranOutputs(id) : earlier[id]
    if (value !== undefined) inputs[id] = value
  }
  return inputs
}

const randomCase = fc.integer({ min: 2, max: 12 }).chain(count =>
  fc.record({
    count: fc.constant(count),
    pairs: fc.array(fc.tuple(fc.nat(count - 1), fc.nat(count - 1)), {
      maxLength: count * 2
    }),
    // 0: status done; 1: no inputs; otherwise inputs.
    kind: fc.array(fc.nat(6), { minLength: count, maxLength: count }),
    stored: fc.array(fc.boolean(), { minLength: count, maxLength: count }),
    failing: fc.array(fc.nat(count - 1), { maxLength: 3 }),
    mode: fc.oneof(
      fc.constant<Mode>({}),
      fc.integer({ min: 1, max: 3 }).map((lanes): Mode => ({ lanes })),
      fc.integer({ min: 1, max: 4 }).map((maxJobs): Mode => ({ maxJobs }))
    )
  })
)

interface Case {
  analysis: PlanAnalysis
  unchanged: string[]
  failing: Set<string>
  mode: Mode
}

function caseOf(c: {
  count: number
  pairs: [number, number][]
  kind: number[]
  stored: boolean[]
  failing: number[]
  mode: Mode
}): Case {
  const specs = c.kind.map((kind, i): PhaseSpec => {
    const deps = new Set<string>()
    for (const [x, y] of c.pairs) {
      if (x !== y && Math.max(x, y) === i) deps.add(`p${Math.min(x, y)}`)
    }
    const spec: PhaseSpec = { id: `p${i}`, deps: [...deps], run: `echo p${i}` }
    if (kind === 0) spec.status = 'done'
    if (kind >= 2) spec.inputs = [`packages/p${i}/**`]
    return spec
  })
  const { analysis, problems } = analyzePlan(makePlan(specs))
  expect(problems.filter(p => p.severity === 'error')).toEqual([])
  const a = analysis!
  const { phases } = a.plan
  const files = phases.map(p => ({
    path: `packages/${p.id}/a`,
    mode: '100644',
    id: '1'.repeat(40)
  }))
  const { hashes } = inputHashes(a, files)
  const stored = new Map<string, string>()
  phases.forEach((phase, i) => {
    const hash = hashes[i]
    if (hash !== null && hash !== undefined && c.stored[i] === true)
      stored.set(phase.id, hash)
  })
  const flags = unchangedPhases({
    ids: phases.map(p => p.id),
    done: phases.map(p => p.done),
    depsOf: a.depsOf,
    order: a.waves.flat(),
    hashes,
    stored
  })
  return {
    analysis: a,
    unchanged: phases.filter((_, i) => flags[i]).map(p => p.id),
    failing: new Set(c.failing.map(i => `p${i}`)),
    mode: c.mode
  }
}

describe('generate --cache-passed, evaluated as GitHub would', () => {
  test('unchanged phases never run, dependents of unchanged ones do, the gate and the store tell unchanged from skipped (property)', () => {
    fc.assert(
      fc.property(randomCase, raw => {
        const { analysis, unchanged, failing, mode } = caseOf(raw)
        const { phases } = analysis.plan
        const run = runWorkflow(
          render(analysis, mode),
          analysis,
          unchanged,
          failing
        )
        const waitsFor = needsThroughDone(analysis)
        const isUnchanged = new Set(unchanged)
        const hashable = hashablePhases(analysis)
        // What ran, and only on dependencies that passed or are unchanged.
        phases.forEach((phase, index) => {
          const ran = run.phases.get(phase.id)
          if (phase.done || isUnchanged.has(phase.id)) {
            expect([phase.id, ran]).toEqual([phase.id, undefined])
            return
          }
          if (ran === undefined) return
          for (const dep of waitsFor[index] ?? []) {
            const id = phases[dep]!.id
            expect([
              phase.id,
              id,
              isUnchanged.has(id) || run.phases.get(id) === 'ran-succeeded'
            ]).toEqual([phase.id, id, true])
          }
        })
        // One job per phase: a phase runs exactly when every dependency
        // passed in this run or is unchanged.
        if (mode.maxJobs === undefined) {
          const expected = new Map<number, string>()
          for (const index of analysis.waves.flat()) {
            const phase = phases[index]!
            if (phase.done) continue
            if (isUnchanged.has(phase.id)) {
              expected.set(index, 'unchanged')
              continue
            }
            const ok = (waitsFor[index] ?? []).every(dep =>
              ['unchanged', 'ran-succeeded'].includes(expected.get(dep) ?? '')
            )
            expected.set(
              index,
              !ok
                ? 'not-run'
                : failing.has(phase.id)
                  ? 'ran-failed'
                  : 'ran-succeeded'
            )
          }
          for (const [index, status] of expected) {
            const id = phases[index]!.id
            const got = isUnchanged.has(id)
              ? 'unchanged'
              : (run.phases.get(id) ?? 'not-run')
            expect([id, got]).toEqual([id, status])
          }
        }
        // Without a failure every phase that is not unchanged runs and passes.
        const failed = phases.some(p => run.phases.get(p.id) === 'ran-failed')
        if (!failed) {
          for (const phase of phases) {
            if (phase.done || isUnchanged.has(phase.id)) continue
            expect([phase.id, run.phases.get(phase.id)]).toEqual([
              phase.id,
              'ran-succeeded'
            ])
          }
        }
        // The gate is green exactly when every phase passed or is unchanged.
        const allPassed = phases.every(
          p =>
            p.done ||
            isUnchanged.has(p.id) ||
            run.phases.get(p.id) === 'ran-succeeded'
        )
        expect([run.gateGreen, run.gateLog]).toEqual([
          allPassed,
          expect.any(String)
        ])
        expect(allPassed).toBe(!failed)
        // The save job is handed only phases that passed in this run, and
        // every one that can have a hash (settle stores those).
        const saved = run.saved ?? []
        for (const id of saved) {
          expect([id, run.phases.get(id)]).toEqual([id, 'ran-succeeded'])
        }
        const passedHere = phases
          .filter(
            (p, i) =>
              hashable[i] === true && run.phases.get(p.id) === 'ran-succeeded'
          )
          .map(p => p.id)
        expect(saved).toEqual(expect.arrayContaining(passedHere))
        // Each phase that ran read its direct dependencies' outputs: this
        // run's, or an unchanged one's as stored, and nothing else.
        phases.forEach((phase, index) => {
          if (!run.phases.has(phase.id)) return
          const expected = Object.fromEntries(
            (analysis.depsOf[index] ?? []).flatMap(dep => {
              const id = phases[dep]!.id
              if (phases[dep]!.done) return []
              return [
                [id, isUnchanged.has(id) ? storedOutputs(id) : ranOutputs(id)]
              ]
            })
          )
          expect([phase.id, run.inputs.get(phase.id)]).toEqual([
            phase.id,
            expected
          ])
        })
        // The save job gets what each phase that passed and has a
        // dependent wrote, for the store.
        phases.forEach((phase, index) => {
          const dependent = (analysis.dependentsOf[index] ?? []).some(
            d => !phases[d]!.done
          )
          if (
            hashable[index] !== true ||
            !dependent ||
            run.phases.get(phase.id) !== 'ran-succeeded'
          )
            return
          expect([phase.id, run.savedOutputs?.[phase.id]]).toEqual([
            phase.id,
            ranOutputs(phase.id)
          ])
        })
      }),
      { numRuns: 100 }
    )
  })

  test('a phase skipped after a failure makes the gate red and is never handed to the store', () => {
    // a → b → c; a changed and failing, c's own inputs unchanged but b runs.
    const { analysis } = analyzePlan(
      makePlan([
        { id: 'a', inputs: ['a/**'], run: 'a' },
        { id: 'b', deps: ['a'], inputs: ['b/**'], run: 'b' },
        { id: 'c', inputs: ['c/**'], run: 'c' },
        { id: 'd', deps: ['c'], inputs: ['d/**'], run: 'd' }
      ])
    )
    const text = render(analysis!, {})
    const red = runWorkflow(text, analysis!, ['c'], new Set(['a']))
    expect(red.jobs.get('a')).toBe('failure')
    expect(red.jobs.get('b')).toBe('skipped')
    expect(red.jobs.get('c')).toBe('skipped')
    expect(red.jobs.get('d')).toBe('success')
    expect(red.gateGreen).toBe(false)
    expect(red.saved).toEqual(['d'])
    const green = runWorkflow(text, analysis!, ['c'], new Set())
    expect(green.gateGreen).toBe(true)
    expect(green.gateLog).toContain('1 unchanged')
    expect(green.saved?.sort()).toEqual(['a', 'b', 'd'])
  })

  test('the gate counts: a skip that is not unchanged is red even without a failed job', () => {
    // The plan job lists fewer unchanged phases than were skipped (as when
    // a run is cancelled between jobs): the count says so.
    const { analysis } = analyzePlan(
      makePlan([
        { id: 'a', inputs: ['a/**'], run: 'a' },
        { id: 'b', inputs: ['b/**'], run: 'b' }
      ])
    )
    const text = render(analysis!, {})
    const gate = (parse(text) as { jobs: Record<string, Job> }).jobs[
      GATE_JOB_ID
    ]!
    const step = gate.steps.find(s => s.env !== undefined)!
    const needs = {
      [PLAN_JOB_ID]: {
        result: 'success',
        outputs: { unchanged: '["a"]', words: ' a ' }
      },
      a: { result: 'skipped', outputs: {} },
      b: { result: 'skipped', outputs: {} }
    }
    const env = Object.fromEntries(
      Object.entries(step.env!).map(([k, v]) => [
        k,
        asString(evaluate(v, { needs }))
      ])
    )
    const bash = spawnSync(
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!],
      {
        env: { PATH: process.env['PATH'] ?? '', ...env },
        encoding: 'utf8'
      }
    )
    expect(bash.status).toBe(1)
    expect(bash.stdout).toContain(
      '2 phase job(s) were skipped but only 1 phase(s) are unchanged'
    )
  })

  test('hostile ids reach if: and outputs only as string literals, and still decide', async () => {
    const ids = ["it's", 'x}}y', 'a${{secrets.X}}', '${{', 'q"\\']
    const { analysis } = analyzePlan(
      makePlan([
        ...ids.map((id): PhaseSpec => ({
          id,
          inputs: ['src/**'],
          run: 'echo ${{ secrets.X }}'
        })),
        { id: 'last', deps: ids, inputs: ['last/**'], run: 'true' }
      ])
    )
    const text = render(analysis!, {})
    const file = { path: '.github/workflows/hostile.yml', text }
    expect(await githubParserErrors(file)).toEqual([])
    expect(await actionlint(file)).toEqual([])
    expect(text).not.toContain('LEAKED')
    // Every id unchanged but `last`: only `last` runs, after all of them.
    const run = runWorkflow(text, analysis!, ids, new Set())
    expect([...run.phases]).toEqual([['last', 'ran-succeeded']])
    expect(run.gateGreen).toBe(true)
    expect(run.saved).toEqual(['last'])
    // `last` read each one's stored outputs, under its own id.
    expect(run.inputs.get('last')).toEqual(
      Object.fromEntries(ids.map(id => [id, storedOutputs(id)]))
    )
    // None unchanged: all run, all are stored.
    const all = runWorkflow(text, analysis!, [], new Set())
    expect(all.saved?.sort()).toEqual([...ids, 'last'].sort())
    expect(all.savedOutputs).toEqual(
      Object.fromEntries(ids.map(id => [id, ranOutputs(id)]))
    )
    // Every expression GitHub finds reads only needs, steps and github
    // (a leaked id would read secrets): found as GitHub's template reader
    // finds them, the end `}}` outside string literals.
    for (const expression of expressionsIn(parse(text) as unknown)) {
      const tokens = new Lexer(expression).lex().tokens
      const status = ['cancelled', 'always', 'success', 'failure'].map(
        name => ({ name, minArgs: 0, maxArgs: 0 })
      )
      expect(() =>
        new Parser(tokens, ['needs', 'steps', 'github'], status).parse()
      ).not.toThrow()
    }
  })

  test("the save job's collecting step writes what the jobs handed on exactly, whatever it holds", () => {
    const { analysis } = analyzePlan(
      makePlan([
        { id: 'a', inputs: ['a/**'], run: 'a' },
        { id: 'b', deps: ['a'], inputs: ['b/**'], run: 'b' }
      ])
    )
    const jobs = (parse(render(analysis!, {})) as { jobs: Record<string, Job> })
      .jobs
    const collect = jobs[SAVE_JOB_ID]!.steps.find(s =>
      s.run?.includes('graph-outputs')
    )!
    const hostile = [
      'PHASE_MATRIX_EOF',
      "'PHASE_MATRIX_EOF'",
      '$(touch pwned) `touch pwned` ${HOME}',
      '${{ secrets.X }}',
      'line\nPHASE_MATRIX_EOF\nrm -rf .',
      '\r\u2028\\'
    ].join('\n')
    const handedOn = JSON.stringify({ a: { v: hostile } })
    const needs = {
      [PLAN_JOB_ID]: { result: 'success', outputs: { 'phase-outputs': '{}' } },
      a: { result: 'success', outputs: { 'phase-outputs': handedOn } },
      b: { result: 'success', outputs: {} }
    }
    // As the runner writes the script: each expression replaced by its value.
    const script = collect.run!.replace(/\$\{\{ (.*) \}\}/, (_, expression) =>
      asString(evaluate(`\${{ ${expression as string} }}`, { needs }))
    )
    const dir = mkdtempSync(path.join(tmpdir(), 'pm-collect-'))
    // A template's defaults may set another working-directory.
    const sub = path.join(dir, 'sub')
    mkdirSync(sub)
    try {
      const bash = spawnSync(
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script],
        {
          cwd: sub,
          env: { PATH: process.env['PATH'] ?? '', GITHUB_WORKSPACE: dir },
          encoding: 'utf8'
        }
      )
      expect(bash.status).toBe(0)
      expect(existsSync(path.join(sub, 'pwned'))).toBe(false)
      const written = JSON.parse(
        readFileSync(path.join(dir, '.phase-matrix/graph-outputs.json'), 'utf8')
      ) as unknown[]
      expect(written).toContain(handedOn)
      expect(joined(written)).toEqual({ a: { v: hostile } })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('expression pieces', () => {
    expect(expressionString("it's")).toBe("'it''s'")
    expect(expressionString("a${{b'$")).toBe(
      "format('{0}{1}{2}{3}', 'a', '$', '{{b''', '$')"
    )
    expect(evaluateExpression(expressionString("a${{b'$"), {})).toBe("a${{b'$")
    expect(cachedCondition(undefined, [])).toBe(
      `\${{ !cancelled() && needs.${PLAN_JOB_ID}.result == 'success' }}`
    )
    expect(
      cachedCondition(
        ['b'],
        [
          { job: 'a', unchanged: ['a'] },
          { job: 'n', unchanged: undefined }
        ]
      )
    ).toBe(
      `\${{ !cancelled() && needs.${PLAN_JOB_ID}.result == 'success' && !contains(needs.${PLAN_JOB_ID}.outputs.words, ' b ') && (needs.a.result == 'success' || contains(needs.${PLAN_JOB_ID}.outputs.words, ' a ')) && needs.n.result == 'success' }}`
    )
  })
})
