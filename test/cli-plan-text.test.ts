// Plan text is data in the CLI's text output: no terminal control sequence
// from a plan reaches the terminal, with or without colour.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { main } from '../src/cli/main.js'
import { terminalSafe } from '../src/render/safe-text.js'
import { recordingIo } from './cli-helpers.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'phase-matrix-text-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

async function run(argv: string[], colour = false) {
  const io = recordingIo({ colour, colourErr: colour, cwd: dir })
  const code = await main(argv, io)
  return { code, out: io.out, err: io.err }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

// Tab too (JSON escapes it); LF ends the one line.
// eslint-disable-next-line no-control-regex
const CONTROL_OR_NL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/

/** Every ESC in `text` opens one of our own SGR colour codes. */
function onlyOurColours(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[(?:1|2|22|31|32|33|36|39)m/g, '')
}

// ESC c (reset), OSC 0 (window title), OSC 52 (clipboard), C1 CSI, CR, BEL.
const HOSTILE = `phases:
  - id: "a\\e]0;owned\\a"
    description: "clear\\ec \\e]52;c;ZXZpbA==\\a title\\u009b2J back\\rover"
  - id: b
    deps: ["a\\e]0;owned\\a"]
`

describe('terminal control sequences in plan text are shown escaped', () => {
  it.each([
    [['plan'], false],
    [['plan'], true],
    [['plan', '--tree'], false],
    [['plan', '--tree'], true]
  ])('%j colour %s', async (args, colour) => {
    writeFileSync(path.join(dir, 'p.yaml'), HOSTILE)
    const { code, out } = await run([...args, '--plan', 'p.yaml'], colour)
    expect(code).toBe(0)
    expect(onlyOurColours(out)).not.toMatch(CONTROL)
    expect(out).toContain('a\\x1b]0;owned\\x07')
  })

  it('in problems: messages, cycle blocks', async () => {
    writeFileSync(
      path.join(dir, 'bad.yaml'),
      `phases:
  - id: "x\\e[2J"
    deps: ["y\\e[2J"]
  - id: "y\\e[2J"
    deps: ["x\\e[2J"]
  - id: z
    deps: ["gone\\e]0;t\\a"]
    "key\\e[31m": 1
`
    )
    for (const colour of [false, true]) {
      const { code, err } = await run(['check', '--plan', 'bad.yaml'], colour)
      expect(code).toBe(1)
      expect(onlyOurColours(err)).not.toMatch(CONTROL)
      expect(err).toContain('x\\x1b[2J -> y\\x1b[2J')
      expect(err).toContain('gone\\x1b]0;t\\x07')
    }
  })
})

/** `plan --format <format>` on the hostile plan. */
function planOfHostile(format: string): ReturnType<typeof run> {
  writeFileSync(path.join(dir, 'p.yaml'), HOSTILE)
  return run(['plan', '--plan', 'p.yaml', '--format', format])
}

describe('JSON and Mermaid output carry no raw control character either', () => {
  it('json: the same values, every control as a \\u escape', async () => {
    const { code, out } = await planOfHostile('json')
    expect(code).toBe(0)
    expect(out).not.toMatch(CONTROL_OR_NL)
    const parsed = JSON.parse(out) as {
      waves: string[][]
      phases: { description: string }[]
    }
    expect(parsed.waves[0]).toEqual(['a\u001b]0;owned\u0007'])
    expect(parsed.phases[0]!.description).toContain('title\u009b2J')
  })

  it('mermaid: controls as entity codes', async () => {
    const { code, out } = await planOfHostile('mermaid')
    expect(code).toBe(0)
    expect(out.replaceAll('\n', '')).not.toMatch(CONTROL)
    expect(out).toContain('a#27;]0;owned#7;')
  })
})

describe('terminalSafe', () => {
  it('keeps tab and line feed, escapes the rest', () => {
    expect(terminalSafe('a\tb\nc\u001bd\re\u009bf\u007fg')).toBe(
      'a\tb\nc\\x1bd\\re\\x9bf\\x7fg'
    )
  })
})
