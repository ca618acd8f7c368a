// The CLI in-process: main() with a recording CliIo, real files on disk.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { colourAllowed, main, VERSION } from '../src/cli/main.js'
import { planJson, problemsJson, recordingIo } from './cli-helpers.js'
import { SEED_TEXT } from './support/seed-text.js'

let dir: string
/** Writes a file under the temp folder and returns its absolute path. */
function file(name: string, text: string): string {
  const target = path.join(dir, name)
  mkdirSync(path.dirname(target), { recursive: true })
  writeFileSync(target, text)
  return target
}

async function run(argv: string[], over = {}) {
  const io = recordingIo(over)
  const code = await main(argv, io)
  return { code, out: io.out, err: io.err }
}

/** No stack trace: no `at fn (file:line)` frames, no `Error:` dumps. */
function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'phase-matrix-cli-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('program help and version', () => {
  it('prints help with every command', async () => {
    const { code, out } = await run(['--help'])
    expect(code).toBe(0)
    for (const command of ['plan', 'generate', 'check', 'simulate']) {
      expect(out).toMatch(new RegExp(`^ {2}${command} `, 'm'))
    }
    expect(out).not.toContain('planned')
    expect((await run(['-h'])).out).toBe(out)
  })

  it('prints help to stderr and exits 2 without a command', async () => {
    const { code, out, err } = await run([])
    expect(code).toBe(2)
    expect(out).toBe('')
    expect(err).toContain('Usage: phase-matrix <command>')
  })

  it('prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      version: string
    }
    expect(VERSION).toBe(pkg.version)
    expect(await run(['--version'])).toEqual({
      code: 0,
      out: `${pkg.version}\n`,
      err: ''
    })
  })

  it('prints a command help with each of its flags', async () => {
    const { code, out } = await run(['plan', '--help'])
    expect(code).toBe(0)
    for (const flag of [
      '--plan FILE',
      '--config FILE',
      '--max-workers N',
      '--fail-fast',
      '--tree',
      '--format FORMAT',
      '-h, --help'
    ]) {
      expect(out).toContain(flag)
    }
    expect((await run(['help', 'plan'])).out).toBe(out)
    // Help wins over a mistake next to it.
    expect((await run(['plan', '--bogus', '-h'])).out).toBe(out)
  })
})

describe('usage errors exit 2 with one line and a hint', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'unknown command',
      ['plans'],
      /unknown command 'plans' \(expected one of plan, generate, check, simulate, exec, hash\)/
    ],
    ['unknown flag', ['plan', '--tre'], /unknown flag '--tre'/],
    [
      'bad format',
      ['plan', '--format', 'xml'],
      /--format expects one of text, json, mermaid, got 'xml'/
    ],
    [
      'negative workers',
      ['plan', '--max-workers', '-1'],
      /--max-workers expects a whole number from 0 to 256, got '-1'/
    ],
    [
      'non-number workers',
      ['plan', '--max-workers=three'],
      /--max-workers expects a whole number from 0 to 256, got 'three'/
    ],
    ['missing value', ['plan', '--plan'], /--plan FILE is missing its value/],
    [
      'a flag as a value',
      ['plan', '--plan', '--tree'],
      /--plan FILE is missing its value/
    ],
    ['grouped short flags', ['plan', '-hx'], /unknown flag '-hx'/],
    ['value on a switch', ['plan', '--tree=yes'], /--tree takes no value/],
    [
      'tree with json',
      ['plan', '--tree', '--format', 'json'],
      /--tree is a text view/
    ],
    [
      'positional',
      ['plan', 'my-plan.yaml'],
      /unexpected argument 'my-plan.yaml'/
    ]
  ]
  it.each(cases)('%s', async (_name, argv, message) => {
    const { code, out, err } = await run(argv)
    expect(code).toBe(2)
    expect(out).toBe('')
    const lines = err.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(message)
    expect(lines[1]).toMatch(/^Run 'phase-matrix( plan)? --help' for usage\.$/)
  })
})

describe('plan', () => {
  it("prints the seed's plan for examples/basic.yaml, then the estimates", async () => {
    expect(await run(['plan', '--plan', 'examples/basic.yaml'])).toEqual({
      code: 0,
      out:
        SEED_TEXT +
        '\n' +
        'Critical path: database-schema → api-endpoints → integration (35 min)\n' +
        'Estimated time: sequential 55 min · waves 40 min (27% less) · needs graph 35 min (36% less)\n' +
        "Runner start-up not counted ('phase-matrix simulate' adds it).\n",
      err: ''
    })
  })

  it("prints the seed's text byte for byte for a plan without estimates", async () => {
    const plan = readFileSync('examples/basic.yaml', 'utf8').replace(
      /\n *estimate_minutes: \d+/g,
      ''
    )
    file('no-estimates.yaml', plan)
    expect(
      await run(['plan', '--plan', path.join(dir, 'no-estimates.yaml')])
    ).toEqual({ code: 0, out: SEED_TEXT, err: '' })
  })

  it('shows the saving with max workers, lanes included', async () => {
    const { out } = await run([
      'plan',
      '--plan',
      'examples/microservices.yaml',
      '--max-workers',
      '2'
    ])
    expect(out).toContain(
      'Estimated time: sequential 150 min · waves of 2 120 min (20% less) · needs graph 90 min (40% less) · 2 lanes 120 min (20% less)'
    )
  })

  it('reads the default plan and config relative to the working folder', async () => {
    const cwd = path.join(dir, 'project')
    file('project/.prd_runner/phase_plan.yaml', 'phases:\n  - id: only\n')
    const { code, out } = await run(['plan'], { cwd })
    expect(code).toBe(0)
    expect(out).toContain('Total phases: 1\n')
    expect(out).not.toContain('Max workers')
  })

  it('takes max_workers from the config, and the flag over the config', async () => {
    const cwd = path.join(dir, 'configured')
    file(
      'configured/.prd_runner/phase_plan.yaml',
      'phases:\n  - id: a\n  - id: b\n'
    )
    file('configured/.prd_runner/config.yaml', 'parallel:\n  max_workers: 3\n')
    expect((await run(['plan'], { cwd })).out).toContain('Max workers: 3\n')
    const flagged = await run(['plan', '--max-workers', '5', '--fail-fast'], {
      cwd
    })
    expect(flagged.out).toContain('Max workers: 5\nFail fast: yes\n')
    const json = planJson((await run(['plan', '--format=json'], { cwd })).out)
    expect(json.maxWorkers).toBe(3)
  })

  it('exits 2 for a missing plan file, in text and JSON', async () => {
    const missing = path.join(dir, 'nope.yaml')
    const text = await run(['plan', '--plan', missing])
    expect(text.code).toBe(2)
    expect(text.out).toBe('')
    expect(text.err).toContain(`${missing}:`)
    expect(text.err).toContain('[file-not-found]')
    const json = await run(['plan', '--plan', missing, '--format', 'json'])
    expect(json.code).toBe(2)
    const parsed = problemsJson(json.out)
    expect(parsed.errors).toHaveLength(1)
    expect(parsed.errors[0]).toMatchObject({
      code: 'file-not-found',
      file: missing
    })
    expect(typeof parsed.errors[0]?.line).toBe('number')
  })

  it('exits 2 for an explicit config that is missing, not for the default', async () => {
    const plan = file('ok.yaml', 'phases:\n  - id: a\n')
    const missing = path.join(dir, 'missing-config.yaml')
    const result = await run(['plan', '--plan', plan, '--config', missing])
    expect(result.code).toBe(2)
    expect(result.err).toContain('[file-not-found]')
    expect((await run(['plan', '--plan', plan], { cwd: dir })).code).toBe(0)
  })

  it('exits 1 with the seed cycle block for examples/cycle.yaml', async () => {
    const { code, out, err } = await run([
      'plan',
      '--plan',
      'examples/cycle.yaml'
    ])
    expect(code).toBe(1)
    expect(out).toBe('')
    expect(err)
      .toContain(`ERROR: Circular dependency detected: phase-a -> phase-b -> phase-c -> phase-a

Phases involved in cycle:
  1. phase-a depends on phase-c
  2. phase-b depends on phase-a
  3. phase-c depends on phase-b

Fix: Remove one dependency to break the cycle.
`)
    expect(err).toMatch(/^examples\/cycle\.yaml:\d+:\d+: error: /)
    expect(err.trimEnd().split('\n').at(-1)).toBe(
      '1 error in examples/cycle.yaml'
    )
  })

  it('reports every problem of a plan in one run', async () => {
    const plan = file(
      'many.yaml',
      [
        'phases:',
        '  - id: a',
        '    deps: [b]',
        '  - id: b',
        '    deps: [a]',
        '  - id: c',
        '    deps: [nowhere]',
        '  - id: a',
        '  - id: d',
        '    deps: [d]',
        ''
      ].join('\n')
    )
    const { code, err } = await run(['plan', '--plan', plan])
    expect(code).toBe(1)
    for (const code of [
      '[cycle]',
      '[unknown-dependency]',
      '[duplicate-id]',
      '[self-dependency]'
    ]) {
      expect(err).toContain(code)
    }
    const json = problemsJson(
      (await run(['plan', '--plan', plan, '--format', 'json'])).out
    )
    const codes = json.errors.map(e => e.code).sort()
    expect(codes).toEqual([
      'cycle',
      'duplicate-id',
      'self-dependency',
      'unknown-dependency'
    ])
    const cycle = json.errors.find(e => e.code === 'cycle')
    expect(cycle?.cycle).toEqual(['a', 'b', 'a'])
    expect(cycle?.line).toBe(3)
  })

  it('prints warnings on stderr and keeps exit 0', async () => {
    const plan = file(
      'warn.yaml',
      'phases:\n  - id: a\n    dep: [b]\n  - id: b\n'
    )
    const { code, out, err } = await run(['plan', '--plan', plan])
    expect(code).toBe(0)
    expect(out).toContain('Total phases: 2\n')
    expect(err).toContain(`${plan}:3:5: warning: `)
    expect(err).toContain('[unknown-key]')
    const json = planJson(
      (await run(['plan', '--plan', plan, '--format', 'json'])).out
    )
    expect(json.phaseCount).toBe(2)
    expect(json.warnings?.[0]?.code).toBe('unknown-key')
  })

  it('warns about an id the waves mode would refuse (E2BIG), keeping exit 0; a long run command is fine', async () => {
    const plan = file(
      'long.yaml',
      `phases:\n  - id: ${'a'.repeat(140_000)}\n    run: echo ${'x'.repeat(140_000)}\n`
    )
    const { code, err } = await run(['plan', '--plan', plan])
    expect(code).toBe(0)
    expect(err).toContain(`${plan}:2:9: warning: The waves mode`)
    expect(err).toContain('E2BIG')
    expect(err).not.toContain('run command')
  })

  it('draws Mermaid with done phases coloured as succeeded', async () => {
    const plan = file(
      'done.yaml',
      'phases:\n  - id: a\n    status: done\n  - id: end\n    deps: [a]\n'
    )
    const { code, out } = await run([
      'plan',
      '--plan',
      plan,
      '--format',
      'mermaid'
    ])
    expect(code).toBe(0)
    expect(out).toMatch(/^flowchart LR\n/)
    expect(out).toContain('p1["end"]')
    expect(out).toContain('  class p0 succeeded\n')
  })

  it('reads an unreadable path as exit 2 without a stack trace', async () => {
    const { code, err } = await run(['plan', '--plan', dir])
    expect(code).toBe(2)
    expectNoStackTrace(err)
    expect(err.split('\n')[0]).toContain(dir)
  })

  it('turns an unexpected failure into exit 70 and one line', async () => {
    const { code, err } = await run(['plan', '--plan', 'examples/basic.yaml'], {
      stdout: () => {
        throw new TypeError('stdout exploded')
      }
    })
    expect(code).toBe(70)
    expect(err).toBe(
      'phase-matrix plan: internal error: stdout exploded, please report it with the command you ran\n'
    )
  })

  it('colours text only when io.colour is set', async () => {
    const plain = await run(['plan', '--plan', 'examples/basic.yaml'])
    const coloured = await run(['plan', '--plan', 'examples/basic.yaml'], {
      colour: true
    })
    expect(plain.out).not.toContain('\u001b[')
    expect(coloured.out).toContain('\u001b[')
  })
})

describe('colourAllowed', () => {
  it('needs a terminal and no NO_COLOR', () => {
    expect(colourAllowed(true, {})).toBe(true)
    expect(colourAllowed(false, {})).toBe(false)
    expect(colourAllowed(true, { NO_COLOR: '1' })).toBe(false)
    expect(colourAllowed(true, { NO_COLOR: '' })).toBe(true)
    expect(colourAllowed(true, { TERM: 'dumb' })).toBe(false)
  })

  it('FORCE_COLOR forces it (not 0 or false), even without a terminal', () => {
    expect(colourAllowed(false, { FORCE_COLOR: '1' })).toBe(true)
    expect(colourAllowed(undefined, { FORCE_COLOR: '' })).toBe(true)
    expect(colourAllowed(true, { FORCE_COLOR: '0' })).toBe(false)
    expect(colourAllowed(true, { FORCE_COLOR: 'false' })).toBe(false)
    expect(colourAllowed(false, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true)
  })

  it('each stream on its own: problems on stderr follow stderr, the plan stdout', async () => {
    const plan = file(
      'colour-stream.yaml',
      'phases:\n  - id: a\n    deps: [b]\n'
    )
    const errOnly = await run(['check', '--plan', plan], {
      colour: true,
      colourErr: false
    })
    expect(errOnly.err).not.toContain('\u001b[')
    const outOnly = await run(['check', '--plan', plan], {
      colour: false,
      colourErr: true
    })
    expect(outOnly.err).toContain('\u001b[31merror')
  })
})
