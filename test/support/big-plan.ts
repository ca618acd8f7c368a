// Large plans as YAML text, for the packed-legs tests: a monorepo-shaped
// plan of `libs` libraries, `packages` packages (each on one library) and
// `apps` apps (each on two packages), so wave 2 is the big one. Estimates
// vary (seeded), every phase appends its id to ran.log, and the ids in
// `failing` exit 1 instead.
export interface BigPlanOptions {
  libs: number
  packages: number
  apps: number
  failing?: readonly string[]
  /** Pad ids to this many characters (typical monorepo package names). */
  idLength?: number
  /** No run commands (for size measurements: commands stay in the plan). */
  noRun?: boolean
}

export function bigPlanIds(options: BigPlanOptions): {
  libs: string[]
  packages: string[]
  apps: string[]
} {
  const pad = (id: string): string =>
    options.idLength === undefined
      ? id
      : `${id}-${'x'.repeat(Math.max(0, options.idLength - id.length - 1))}`
  return {
    libs: Array.from({ length: options.libs }, (_, i) => pad(`lib-${i}`)),
    packages: Array.from({ length: options.packages }, (_, i) =>
      pad(`pkg-${i}`)
    ),
    apps: Array.from({ length: options.apps }, (_, i) => pad(`app-${i}`))
  }
}

export function bigPlanYaml(options: BigPlanOptions): string {
  const { libs, packages, apps } = bigPlanIds(options)
  const failing = new Set(options.failing ?? [])
  const lines = ['phases:']
  const phase = (id: string, deps: string[], minutes: number): void => {
    lines.push(`  - id: ${id}`)
    if (deps.length > 0) lines.push(`    deps: [${deps.join(', ')}]`)
    lines.push(`    estimate_minutes: ${minutes}`)
    if (options.noRun !== true) {
      lines.push(
        `    run: ${failing.has(id) ? `echo ${id} >> ran.log; exit 1` : `echo ${id} >> ran.log`}`
      )
    }
  }
  libs.forEach((id, i) => {
    phase(id, [], 1 + (i % 7))
  })
  packages.forEach((id, i) => {
    phase(id, [libs[i % libs.length] as string], 1 + ((i * 13) % 17))
  })
  apps.forEach((id, i) => {
    phase(
      id,
      [
        packages[(2 * i) % packages.length] as string,
        packages[(2 * i + 1) % packages.length] as string
      ],
      2 + (i % 5)
    )
  })
  return `${lines.join('\n')}\n`
}
