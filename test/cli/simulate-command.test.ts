import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { HELP, main } from '../../src/cli/main.js'
import type { SimulationJson } from '../../src/render/simulation.js'
import { recordingIo } from '../cli-helpers.js'

let dir = ''
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'simulate-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

async function simulate(
  args: string[]
): Promise<{ code: number; out: string; err: string }> {
  const io = recordingIo()
  const code = await main(['simulate', ...args], io)
  return { code, out: io.out, err: io.err }
}

const MICRO = ['--plan', 'examples/microservices.yaml']

describe('phase-matrix simulate', () => {
  it('is listed in --help as a real command', () => {
    expect(HELP).toMatch(/ {2}simulate {2}how long a run takes/)
    expect(HELP).not.toContain('planned')
  })

  it("prints the issue's JSON: microservices with --job-start 0 is 150 sequential, 90 graph", async () => {
    const { code, out, err } = await simulate([
      ...MICRO,
      '--job-start',
      '0',
      '--format',
      'json'
    ])
    expect(err).toBe('')
    expect(code).toBe(0)
    const json = JSON.parse(out) as SimulationJson
    expect(json).toEqual({
      criticalPathMinutes: 90,
      totalWorkMinutes: 150,
      lowerBoundMinutes: 90,
      modes: {
        sequential: { wallMinutes: 150, runnerMinutes: 150, jobs: 1 },
        waves: { wallMinutes: 90, runnerMinutes: 150, jobs: 7 },
        graph: { wallMinutes: 90, runnerMinutes: 150, jobs: 6 }
      },
      failed: [],
      skipped: []
    })
    expect(Object.keys(json)).toEqual([
      'criticalPathMinutes',
      'totalWorkMinutes',
      'lowerBoundMinutes',
      'modes',
      'failed',
      'skipped'
    ])
  })

  it('adds lanes with --max-workers and names what --fail skips', async () => {
    const { code, out } = await simulate([
      ...MICRO,
      '--max-workers',
      '2',
      '--fail',
      'order-service',
      '--format',
      'json'
    ])
    expect(code).toBe(0)
    const json = JSON.parse(out) as SimulationJson
    expect(json.lowerBoundMinutes).toBe(90)
    expect(Object.keys(json.modes)).toEqual([
      'sequential',
      'waves',
      'graph',
      'lanes'
    ])
    expect(json.failed).toEqual(['order-service'])
    expect(json.skipped).toEqual(['api-gateway', 'integration-tests'])
    // The partial run: three services of 30 minutes on two lanes.
    expect(json.modes.lanes?.wallMinutes).toBe(61.5)
  })

  it('prints a text timeline with the saving', async () => {
    const { code, out } = await simulate([...MICRO, '--job-start', '0'])
    expect(code).toBe(0)
    expect(out).toContain(
      'Critical path: user-service → api-gateway → integration-tests (90 min)'
    )
    expect(out).toMatch(/graph +90 +150 +6 +40%/)
    expect(out).toMatch(/ {2}integration-tests +\|.*█\| 60–90/)
    expect(out).not.toContain('failing')
    const red = await simulate([...MICRO, '--fail', 'user-service'])
    expect(red.out).toContain(
      'With user-service failing: the times are those of that partial run.'
    )
    expect(red.out).toContain('Skipped: api-gateway, integration-tests')
    expect(red.out).toMatch(/ {2}api-gateway +skipped/)
  })

  it('draws a Mermaid Gantt chart, failed phases as crit', async () => {
    const { out } = await simulate([
      ...MICRO,
      '--format',
      'mermaid',
      '--fail',
      'user-service'
    ])
    expect(out.split('\n').slice(0, 4)).toEqual([
      'gantt',
      '  title Simulated run, critical path 90 min, job start 0.5 min',
      '  dateFormat X',
      '  axisFormat %H:%M'
    ])
    expect(out).toContain('  section graph, 31 min')
    expect(out).toContain('    user-service :crit, 0, 1830')
    expect(out).not.toContain('api-gateway')
  })

  it('takes estimates from a file, warning on unknown ids', async () => {
    const file = path.join(dir, 'estimates.json')
    writeFileSync(
      file,
      JSON.stringify({ 'user-service': 60, 'user-servce': 1 })
    )
    const { code, out, err } = await simulate([
      ...MICRO,
      '--job-start',
      '0',
      '--estimates',
      file,
      '--format',
      'json'
    ])
    expect(code).toBe(0)
    expect(err).toContain(
      "'user-servce' is not a phase of the plan (did you mean 'user-service'?)"
    )
    expect((JSON.parse(out) as SimulationJson).criticalPathMinutes).toBe(120)
  })

  it.each([
    [
      '{"user-service": -1}',
      "the estimate of 'user-service' must be a number of minutes from 0 to 10080 (one week), got -1"
    ],
    [
      '{"user-service": 1e12}',
      "the estimate of 'user-service' must be a number of minutes from 0 to 10080 (one week), got 1000000000000"
    ],
    ['{"user-service": 10081}', 'got 10081'],
    ['{"user-service": "ten"}', 'got "ten"'],
    ['[1]', 'expected a JSON object'],
    ['{', 'not valid JSON']
  ])(
    'refuses the estimates %s (exit 2, naming the file)',
    async (text, message) => {
      const file = path.join(dir, 'bad.json')
      writeFileSync(file, text)
      const { code, err } = await simulate([...MICRO, '--estimates', file])
      expect(code).toBe(2)
      expect(err).toContain(file)
      expect(err).toContain(message)
    }
  )

  it.each([
    [['--job-start', '-1'], '--job-start expects minutes'],
    [['--job-start', 'soon'], '--job-start expects minutes'],
    [['--fail', 'user-servic'], "did you mean 'user-service'"],
    [['--estimates', '/nonexistent/e.json'], 'not found'],
    [['--format', 'csv'], '--format expects one of text, json, mermaid']
  ])('refuses %j with exit 2', async (args, message) => {
    const { code, err } = await simulate([...MICRO, ...args])
    expect(code).toBe(2)
    expect(err).toContain(message)
  })

  it('has its own help, also as help simulate', async () => {
    const { code, out } = await simulate(['--help'])
    expect(code).toBe(0)
    expect(out).toContain('Usage: phase-matrix simulate')
    expect(out).toContain('--job-start MIN')
    const io = recordingIo()
    expect(await main(['help', 'simulate'], io)).toBe(0)
    expect(io.out).toBe(out)
  })

  it('exits 1 on an invalid plan', async () => {
    const { code } = await simulate(['--plan', 'examples/cycle.yaml'])
    expect(code).toBe(1)
  })
})

describe('Gantt task names', () => {
  it('keep plan text from being read as Gantt syntax', async () => {
    const { ganttTaskName } = await import('../../src/render/simulation.js')
    expect(ganttTaskName('a:b;c#d%%e')).toBe('a_b_c_d__e')
    expect(ganttTaskName('section')).toBe('phase section')
    expect(ganttTaskName('title-x')).toBe('phase title-x')
    expect(ganttTaskName('build\u001b[31m')).toBe('build_[31m')
    expect(ganttTaskName('deploy')).toBe('deploy')
  })

  describe('--leg-concurrency', () => {
    // One wave of eight 10-minute phases, packed into 2 legs of 4.
    const wide = (): string => {
      const file = path.join(dir, 'wide.yaml')
      writeFileSync(
        file,
        `phases:\n${Array.from({ length: 8 }, (_, i) => `  - id: p${i}\n    estimate_minutes: 10\n`).join('')}`
      )
      return file
    }
    const wavesWall = async (extra: string[]): Promise<number> => {
      const { code, out } = await simulate([
        '--plan',
        wide(),
        '--max-workers',
        '2',
        '--job-start',
        '0',
        '--format',
        'json',
        ...extra
      ])
      expect(code).toBe(0)
      return (JSON.parse(out) as SimulationJson).modes.waves!.wallMinutes
    }

    it('a packed leg runs that many phases at once: 40, 20 and 10 minutes for 1, 2 and 4 cores; default 2', async () => {
      expect(await wavesWall(['--leg-concurrency', '1'])).toBe(40)
      expect(await wavesWall(['--leg-concurrency', '2'])).toBe(20)
      expect(await wavesWall(['--leg-concurrency', '4'])).toBe(10)
      expect(await wavesWall([])).toBe(20)
    })

    it.each(['0', '257', 'two'])('refuses %s (exit 2)', async value => {
      const { code, err } = await simulate([
        ...MICRO,
        '--leg-concurrency',
        value
      ])
      expect(code).toBe(2)
      expect(err).toContain(
        '--leg-concurrency expects a whole number from 1 to 256'
      )
    })
  })
})
