// What the runner would read as a workflow command in a step's log, for
// tests that feed plan text carrying commands to the actions: every line
// (CR and LF both end one, as the runner reads them) that starts with `::`
// after whitespace, or carries the legacy `##[`.
import { expect } from '@jest/globals'

/** Plan text that would act if printed raw. */
export const HOSTILE_PLAN = `phases:
  - id: build##[error]x
    description: "::warning file=x.js,line=1::INJECTED"
  - id: masked
    description: "fine\\n::add-mask::x\\n  ::stop-commands::abc\\r::error::CR"
    deps: ["build##[error]x"]
    "k\\n::warning title=FAKE::x\\n": 1
`

/** Commands our own code issues; anything else in the log came from plan text. */
const OURS = new Set(['error', 'warning', 'notice', 'group', 'endgroup'])

/**
 * Fails unless every command line in `stdout` is one of ours (`::add-mask::`
 * only of `token`), none carries plan text in its name or properties, and no
 * line carries `##[`.
 */
export function expectInertLog(stdout: string, token?: string): void {
  const lines = stdout.split(/\r\n|\r|\n/)
  for (const line of lines) {
    expect(line).not.toContain('##[')
    if (!/^\s*::/.test(line)) continue
    const match = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/.exec(line)
    expect(match).not.toBeNull()
    const [, name = '', properties = ''] = match ?? []
    if (name === 'add-mask') {
      expect(line).toBe(`::add-mask::${token ?? '(no token expected)'}`)
      continue
    }
    expect({ line, ours: OURS.has(name) }).toEqual({ line, ours: true })
    expect(properties).not.toMatch(/x\.js|FAKE|INJECTED/)
  }
}
