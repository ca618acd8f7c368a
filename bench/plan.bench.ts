// `npm run bench plan`: the `plan --format json` pipeline on seeded synthetic
// plans of 1k, 10k and 40k phases (the largest under the 8 MiB the product
// accepts), stage by stage (medians). The headline is like for like: string
// ids in, waves out, each tool building what it needs — ours is all of
// analyzePlan (ids resolved, waves, every cycle, critical path); toposort and
// graphlib sort the same ids and edges and the waves are read off their order.
// Ends with markdown tables for docs/performance.md.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { alg, Graph } from '@dagrejs/graphlib'
import { parseDocument } from 'yaml'
import { MAX_PLAN_BYTES } from '../src/repo/files.js'
import { analyzeGraph, analyzePlan } from '../src/plan/analyze.js'
import { resolveDependencies } from '../src/plan/resolve.js'
import { parsePlan } from '../src/plan/load.js'
import { parseYamlSource } from '../src/plan/yaml-source.js'
import type { Plan, PlanAnalysis } from '../src/plan/types.js'
import { renderPlanJson } from '../src/render/json.js'
import { renderPlanText } from '../src/render/text.js'
import { docTable } from './doc-table.js'
import { prng } from './prng.js'

type Edge = [string, string]
interface Toposort {
  (edges: Edge[]): string[]
  array: (nodes: string[], edges: Edge[]) => string[]
}
// toposort ships no types and is CommonJS.
const toposort = createRequire(import.meta.url)('toposort') as Toposort

const SIZES = [1_000, 10_000, 40_000]
const SEED = 20240611
const WORDS = ['build', 'test', 'migrate', 'deploy', 'lint', 'package', 'docs']

/**
 * A plan file of n phases: ids, 0-3 deps on earlier phases (half of them on
 * the last 50, which makes long chains as in real plans), a description, a
 * run line and an estimate.
 */
function syntheticPlan(n: number, seed: number): string {
  const random = prng(seed)
  const ids: string[] = []
  const out: string[] = ['phases:']
  for (let i = 0; i < n; i++) {
    const word = WORDS[Math.floor(random() * WORDS.length)] ?? 'build'
    const id = `${word}-${i}`
    ids.push(id)
    const deps = new Set<string>()
    const count = i === 0 ? 0 : Math.floor(random() * 4)
    for (let k = 0; k < count; k++) {
      const back =
        random() < 0.5
          ? 1 + Math.floor(random() * Math.min(50, i))
          : 1 + Math.floor(random() * i)
      deps.add(ids[i - back] ?? '')
    }
    out.push(
      `  - id: ${id}`,
      `    description: "${word} module ${i} of the synthetic plan"`,
      `    deps: [${[...deps].join(', ')}]`,
      `    run: npm run ${word} --workspace packages/module-${i}`,
      `    estimate_minutes: ${1 + Math.floor(random() * 30)}`
    )
  }
  return out.join('\n') + '\n'
}

/** Waves from a topological order: 1 + the deepest dependency's wave. O(V + E). */
function wavesFromOrder(
  order: readonly string[],
  depsOf: (id: string) => readonly string[]
): string[][] {
  const waveOf = new Map<string, number>()
  const waves: string[][] = []
  for (const id of order) {
    let wave = 0
    for (const dep of depsOf(id))
      wave = Math.max(wave, (waveOf.get(dep) ?? 0) + 1)
    waveOf.set(id, wave)
    ;(waves[wave] ??= []).push(id)
  }
  return waves
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect !== undefined) collect()
}

/**
 * Median wall time in ms of each task. Tasks run in rounds, one call of each
 * per round after a warm-up round, so a change in machine load (other
 * processes) hits every task alike and the side-by-side ratios stay fair.
 * A task that overflows the stack (graphlib's recursion) gets NaN.
 */
function timeInterleaved<K extends string>(
  runs: number,
  tasks: Record<K, () => unknown>
): Record<K, number> {
  const names = Object.keys(tasks) as K[]
  const samples = new Map<K, number[]>(names.map(name => [name, []]))
  const overflowed = new Set<K>()
  for (let round = -1; round < runs; round++) {
    for (const name of names) {
      if (overflowed.has(name)) continue
      gc()
      const start = performance.now()
      try {
        tasks[name]()
      } catch (error) {
        if (!(error instanceof RangeError)) throw error
        overflowed.add(name)
        continue
      }
      if (round >= 0) samples.get(name)?.push(performance.now() - start)
    }
  }
  const medians = {} as Record<K, number>
  for (const name of names) {
    const list = (samples.get(name) ?? []).sort((a, b) => a - b)
    medians[name] = overflowed.has(name)
      ? Number.NaN
      : (list[Math.floor(list.length / 2)] ?? Number.NaN)
  }
  return medians
}

function mustLoad(text: string, file: string): Plan {
  const { plan, problems } = parsePlan(text, file)
  const errors = problems.filter(p => p.severity === 'error')
  if (plan === undefined || errors.length > 0) {
    throw new Error(`synthetic plan invalid: ${errors[0]?.message ?? '?'}`)
  }
  return plan
}

function mustAnalyse(plan: Plan): PlanAnalysis {
  const { analysis, problems } = analyzePlan(plan)
  if (analysis === undefined) {
    throw new Error(`synthetic plan invalid: ${problems[0]?.message ?? '?'}`)
  }
  return analysis
}

interface Row {
  n: number
  megabytes: number
  parse: number
  validate: number
  /** Id resolution: duplicate, unknown and self dependencies (part of validate). */
  resolve: number
  graph: number
  /** resolve + graph: everything analyzePlan does. */
  analyze: number
  json: number
  text: number
  toposort: number
  graphlib: number
  toposortWaves: number
  graphlibWaves: number
  pipeline: number
  parseDocument: number
}

const ms = (x: number): string =>
  Number.isNaN(x) ? 'overflow' : x < 10 ? x.toFixed(2) : x.toFixed(1)
/** How our time `ours` compares with `theirs`: `4.2× faster` or `1.5× slower`. */
const versus = (theirs: number, ours: number): string => {
  if (Number.isNaN(theirs) || Number.isNaN(ours)) return 'n/a'
  return theirs >= ours
    ? `${(theirs / ours).toFixed(1)}× faster`
    : `${(ours / theirs).toFixed(1)}× slower`
}

function measure(n: number, dir: string): Row {
  const runs = n >= 40_000 ? 5 : n >= 10_000 ? 11 : 21
  const text = syntheticPlan(n, SEED + n)
  if (Buffer.byteLength(text) > MAX_PLAN_BYTES) {
    throw new Error(
      `the ${n}-phase plan is over the ${MAX_PLAN_BYTES} bytes the product accepts`
    )
  }
  const file = path.join(dir, `plan-${n}.yaml`)
  writeFileSync(file, text)
  const plan = mustLoad(text, file)
  const analysis = mustAnalyse(plan)
  const resolved = resolveDependencies(plan)
  const ids = plan.phases.map(p => p.id)
  const edges: Edge[] = []
  for (const phase of plan.phases) {
    for (const dep of phase.deps) edges.push([dep, phase.id])
  }

  const t = timeInterleaved(runs, {
    parseDocument: () => parseDocument(text),
    // parsePlan's own YAML stage (parseDocument's parts plus its guards).
    parse: () => parseYamlSource(text, file),
    load: () => parsePlan(text, file),
    // Validation half: ids → indices with every id problem.
    resolve: () => resolveDependencies(plan),
    // Graph half: waves, cycles, critical path on the resolved graph.
    graph: () => analyzeGraph(plan, resolved),
    analyze: () => analyzePlan(plan),
    json: () => renderPlanJson(analysis),
    text: () => renderPlanText(analysis),
    toposort: () => toposort.array(ids, edges),
    graphlib: () => {
      const g = new Graph()
      for (const id of ids) g.setNode(id)
      for (const [from, to] of edges) g.setEdge(from, to)
      alg.topsort(g)
      return alg.findCycles(g)
    },
    // Like for like: ids and edges in, waves out.
    toposortWaves: () => {
      const deps = new Map<string, string[]>(ids.map(id => [id, []]))
      for (const [from, to] of edges) deps.get(to)?.push(from)
      return wavesFromOrder(
        toposort.array(ids, edges),
        id => deps.get(id) ?? []
      )
    },
    graphlibWaves: () => {
      const g = new Graph()
      for (const id of ids) g.setNode(id)
      for (const [from, to] of edges) g.setEdge(from, to)
      const order = alg.topsort(g)
      alg.findCycles(g)
      return wavesFromOrder(order, id => g.predecessors(id) ?? [])
    },
    // What `phase-matrix plan --format json` does after start-up.
    pipeline: () => {
      const source = readFileSync(file, 'utf8')
      const loaded = mustLoad(source, file)
      return renderPlanJson(mustAnalyse(loaded))
    }
  })
  return {
    n,
    megabytes: Buffer.byteLength(text) / 1024 / 1024,
    parse: t.parse,
    validate: Math.max(0, t.load - t.parse) + t.resolve,
    resolve: t.resolve,
    graph: t.graph,
    analyze: t.analyze,
    json: t.json,
    text: t.text,
    toposort: t.toposort,
    graphlib: t.graphlib,
    toposortWaves: t.toposortWaves,
    graphlibWaves: t.graphlibWaves,
    pipeline: t.pipeline,
    parseDocument: t.parseDocument
  }
}

function main(): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'phase-matrix-bench-'))
  const rows: Row[] = []
  try {
    for (const n of SIZES) {
      console.log(`measuring ${n.toLocaleString('en-US')} phases…`)
      const row = measure(n, dir)
      rows.push(row)
      console.log(
        `${n} phases (${row.megabytes.toFixed(2)} MB): parse ${ms(row.parse)} ms, ` +
          `validate ${ms(row.validate)} ms, graph ${ms(row.graph)} ms, ` +
          `render json ${ms(row.json)} ms / text ${ms(row.text)} ms; ` +
          `toposort ${ms(row.toposort)} ms, graphlib ${ms(row.graphlib)} ms; ` +
          `whole json ${ms(row.pipeline)} ms vs parseDocument ${ms(row.parseDocument)} ms`
      )
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }

  console.log(
    `\nMedians in ms, Node ${process.version}, seeded synthetic plans (0-3 deps each).\n` +
      'validate = schema checks after YAML + id resolution (duplicates, unknown and self deps); ' +
      'graph = waves, every cycle and the critical path on the resolved graph; ' +
      'ids + graph = all of analyzePlan. toposort and graphlib take names and resolve them themselves.\n'
  )
  console.log(
    '**Like for like** (ids in, waves out): ours = analyzePlan (ids resolved, waves, every cycle, critical path);' +
      ' toposort / graphlib = their sort of the same ids and edges (graphlib also finds cycles), waves read off the order.\n'
  )
  docTable('plan', [
    '| phases | plan size | ours | toposort + waves | graphlib + waves | vs toposort | vs graphlib | whole `plan --format json` ÷ `yaml.parseDocument` |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      r =>
        `| ${r.n.toLocaleString('en-US')} | ${r.megabytes.toFixed(1)} MB | ${ms(r.analyze)} | ${ms(r.toposortWaves)} | ${ms(r.graphlibWaves)} | ${versus(r.toposortWaves, r.analyze)} | ${versus(r.graphlibWaves, r.analyze)} | ${(r.pipeline / r.parseDocument).toFixed(2)}× |`
    )
  ])
  console.log(
    '\n**Stage by stage** (graph alone runs on resolved indices: not like for like).\n'
  )
  console.log(
    '| phases | plan size | parse (YAML) | validate | graph | render JSON | render text | toposort | graphlib | graph vs toposort | graph vs graphlib | ids + graph vs toposort | whole `plan --format json` | `parseDocument` alone | ratio |'
  )
  console.log(
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
  )
  for (const r of rows) {
    console.log(
      `| ${r.n.toLocaleString('en-US')} | ${r.megabytes.toFixed(1)} MB | ${ms(r.parse)} | ${ms(r.validate)} | ${ms(r.graph)} | ${ms(r.json)} | ${ms(r.text)} | ${ms(r.toposort)} | ${ms(r.graphlib)} | ${versus(r.toposort, r.graph)} | ${versus(r.graphlib, r.graph)} | ${versus(r.toposort, r.analyze)} | ${ms(r.pipeline)} | ${ms(r.parseDocument)} | ${(r.pipeline / r.parseDocument).toFixed(2)}× |`
    )
  }
  const at10k = rows.find(r => r.n === 10_000)
  if (at10k !== undefined) {
    console.log(
      `\nAt 10k, like for like: ${versus(at10k.toposortWaves, at10k.analyze)} than toposort + waves, ` +
        `${versus(at10k.graphlibWaves, at10k.analyze)} than graphlib + waves; ` +
        `whole json ${(at10k.pipeline / at10k.parseDocument).toFixed(2)}× parseDocument alone.`
    )
  }
}

main()
