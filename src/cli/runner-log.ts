// Inside a GitHub Actions job the runner reads every line a step prints as a
// possible workflow command (log-safe.ts), so `phase-matrix plan` in a `run:`
// step would obey a description `::warning ...` or an id `::error::x`. There
// (GITHUB_ACTIONS=true) the CLI's streams make plan text inert. JSON stays
// the same data: a JSON line never starts with `::` (strings hold no raw line
// break), and `##[` becomes `#\u0023[`, the same string once parsed. Linear
// in the text.
import { logSafe } from '../render/safe-text.js'
import type { CliIo } from './io.js'

/** Commands whose standard output is a report for a reader, not a file (generate writes a workflow; exec makes its own log safe). */
const REPORTS = new Set(['plan', 'simulate', 'check', 'hash'])

function isJson(text: string): boolean {
  const start = text.trimStart()[0]
  if (start !== '{' && start !== '[') return false
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** `text` as the runner may read it: inert, JSON left the same data. */
export function inertForRunner(text: string): string {
  return isJson(text) ? text.replaceAll('##[', '#\\u0023[') : logSafe(text)
}

/**
 * `io` for command `name`: inside a GitHub Actions job, standard error of
 * every command but exec, and standard output of the reports, made inert.
 */
export function runnerSafeIo(name: string, io: CliIo): CliIo {
  if (io.env.GITHUB_ACTIONS !== 'true' || name === 'exec') return io
  const stdout = REPORTS.has(name)
    ? (text: string) => {
        io.stdout(inertForRunner(text))
      }
    : io.stdout
  return {
    ...io,
    stdout,
    stderr: text => {
      io.stderr(logSafe(text))
    }
  }
}
