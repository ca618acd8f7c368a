// The seeded random plans the benches share: n phases, each with 0-3
// dependencies on earlier phases (half of them on the last 30, which makes
// chains as real plans have) and a log-normal estimate: median 8 minutes,
// sigma 1 (a few phases take an hour or more).
import type { Phase, Plan } from '../src/plan/types.js'
import { prng } from './prng.js'

/** Standard normal from two uniforms (Box–Muller). */
export function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

/** A phase as the loader would make it, at line index + 1. */
export function benchPhase(
  id: string,
  deps: readonly string[],
  estimateMinutes: number,
  index: number
): Phase {
  return {
    id,
    deps: [...deps],
    estimateMinutes,
    done: false,
    index,
    position: { line: index + 1, column: 1 },
    depPositions: deps.map(() => ({ line: index + 1, column: 1 }))
  }
}

/** Log-normal minutes around `median` (sigma `sigma`), in tenths. */
export function logNormalMinutes(
  random: () => number,
  median: number,
  sigma: number
): number {
  return (
    Math.round(Math.exp(Math.log(median) + sigma * normal(random)) * 10) / 10
  )
}

export function randomPlan(n: number, seed: number): Plan {
  const random = prng(seed)
  const phases: Phase[] = []
  for (let i = 0; i < n; i++) {
    const deps = new Set<string>()
    const count = i === 0 ? 0 : Math.floor(random() * 4)
    for (let k = 0; k < count; k++) {
      const back =
        random() < 0.5
          ? 1 + Math.floor(random() * Math.min(30, i))
          : 1 + Math.floor(random() * i)
      deps.add(`p${i - back}`)
    }
    phases.push(
      benchPhase(`p${i}`, [...deps], logNormalMinutes(random, 8, 1), i)
    )
  }
  return { file: `random-${n}.yaml`, phases }
}

const PACKAGE_KINDS = ['helper', 'core', 'plugin', 'preset', 'test'] as const

/**
 * A monorepo's package graph of n packages in `levels` levels: helpers at
 * the bottom, then core packages, plugins, presets and test suites up the
 * levels (the middle levels widest). Each package needs one package of the
 * level just below (so the graph is exactly `levels` deep) and 0-3 more
 * from lower levels, mostly near ones. Estimates log-normal: median 4
 * minutes, sigma 0.8; test suites twice as long.
 */
export function packageGraph(n: number, levels: number, seed: number): Plan {
  const random = prng(seed)
  // Widths: a hump over the levels, every level at least one package.
  const weights = Array.from(
    { length: levels },
    (_, level) => 1 + Math.sin((Math.PI * (level + 0.5)) / levels)
  )
  const total = weights.reduce((sum, w) => sum + w, 0)
  const widths = weights.map(w => Math.max(1, Math.round((w / total) * n)))
  const byLevel: string[][] = []
  const phases: Phase[] = []
  for (let level = 0; level < levels; level++) {
    const kind =
      PACKAGE_KINDS[Math.min(4, Math.floor((level / levels) * 5))] ?? 'core'
    const ids: string[] = []
    for (let k = 0; k < (widths[level] ?? 1); k++) {
      const index = phases.length
      const id = `${kind}-${level}-${k}`
      const deps = new Set<string>()
      const below = byLevel[level - 1]
      if (below !== undefined)
        deps.add(below[Math.floor(random() * below.length)] ?? '')
      const more = level === 0 ? 0 : Math.floor(random() * 4)
      for (let d = 0; d < more; d++) {
        const back = 1 + Math.floor(random() * random() * level)
        const pool = byLevel[level - back] ?? []
        if (pool.length > 0)
          deps.add(pool[Math.floor(random() * pool.length)] ?? '')
      }
      const median = kind === 'test' ? 8 : 4
      phases.push(
        benchPhase(id, [...deps], logNormalMinutes(random, median, 0.8), index)
      )
      ids.push(id)
    }
    byLevel.push(ids)
  }
  return { file: `package-graph-${n}-${levels}.yaml`, phases }
}
