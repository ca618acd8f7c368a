// `npm run bench load`: what loading adds on top of the YAML parser.
// Times `yaml.parseDocument` alone against `parsePlan` (parse + checks +
// zod + positions) on seeded synthetic plans, same text, same process,
// alternating so that both see the same machine load. CPU time, not wall
// time, so that other processes on the machine do not count.

import { parseDocument } from 'yaml'

import { parsePlan } from '../src/plan/load.js'
import { parseYamlSource } from '../src/plan/yaml-source.js'
import { docTable } from './doc-table.js'

/** Seeded LCG, so every run measures the same plans. */
function prng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 4294967296
  }
}

/** n phases `phase-00001`…: 0-3 deps on earlier phases, a description, a run line. */
function syntheticPlan(n: number, seed: number): string {
  const random = prng(seed)
  const id = (i: number): string => `phase-${String(i).padStart(5, '0')}`
  const lines = ['phases:']
  for (let i = 1; i <= n; i++) {
    const deps = new Set<string>()
    const count = i === 1 ? 0 : Math.floor(random() * 4)
    for (let k = 0; k < count; k++) {
      deps.add(id(1 + Math.floor(random() * (i - 1))))
    }
    lines.push(
      `  - id: ${id(i)}`,
      `    description: Build part ${i} of the system`,
      `    deps: [${[...deps].join(', ')}]`,
      `    run: npm run build -- --part ${i}`
    )
  }
  return lines.join('\n') + '\n'
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect !== undefined) collect()
}

/** CPU time of this process in ms: steadier than wall time on a busy machine. */
function cpuNow(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

function measure(n: number, runs: number): string {
  const text = syntheticPlan(n, 42)
  const loaded = parsePlan(text, 'plan.yaml')
  if (loaded.plan?.phases.length !== n || loaded.problems.length > 0) {
    throw new Error(`synthetic plan of ${n} did not load cleanly`)
  }
  const parse: number[] = []
  const guarded: number[] = []
  const load: number[] = []
  for (let r = 0; r < runs + 1; r++) {
    gc()
    let start = cpuNow()
    parseDocument(text)
    const p = cpuNow() - start
    gc()
    start = cpuNow()
    parseYamlSource(text, 'plan.yaml')
    const g = cpuNow() - start
    gc()
    start = cpuNow()
    parsePlan(text, 'plan.yaml')
    const l = cpuNow() - start
    if (r > 0) {
      parse.push(p)
      guarded.push(g)
      load.push(l)
    }
  }
  const p = median(parse)
  const g = median(guarded)
  const l = median(load)
  return `| ${n.toLocaleString('en-US')} | ${(text.length / 1e6).toFixed(2)} MB | ${p.toFixed(1)} ms | ${g.toFixed(1)} ms | ${l.toFixed(1)} ms | ${(l / p).toFixed(2)}× |`
}

docTable('load', [
  '| phases | size | yaml.parseDocument | guarded parse | parsePlan | parsePlan / parseDocument |',
  '|---:|---:|---:|---:|---:|---:|',
  measure(1_000, 21),
  measure(10_000, 11),
  measure(50_000, 5)
])
