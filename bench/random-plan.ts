// The seeded random plans the benches share: n phases, each with 0-3
// dependencies on earlier phases (half of them on the last 30, which makes
// chains as real plans have) and a log-normal estimate: median 8 minutes,
// sigma 1 (a few phases take an hour or more).
import type { Phase, Plan } from '../src/plan/types.js'
import { prng } from './prng.js'

/** Standard normal from two uniforms (Box–Muller). */
function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
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
    const estimate =
      Math.round(Math.exp(Math.log(8) + normal(random)) * 10) / 10
    phases.push({
      id: `p${i}`,
      deps: [...deps],
      estimateMinutes: estimate,
      done: false,
      index: i,
      position: { line: i + 1, column: 1 },
      depPositions: [...deps].map(() => ({ line: i + 1, column: 1 }))
    })
  }
  return { file: `random-${n}.yaml`, phases }
}
