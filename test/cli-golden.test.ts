// Golden outputs of `phase-matrix plan` for every example: text, tree, JSON
// and Mermaid, and the cycle errors. Compared byte for byte; regenerate on
// purpose with UPDATE_GOLDEN=1. Also asserts the seed's batches directly.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { main } from '../src/cli/main.js'
import { planJson, problemsJson, recordingIo } from './cli-helpers.js'

const GOLDEN = 'test/fixtures/golden'
const UPDATE = process.env.UPDATE_GOLDEN === '1'

async function plan(argv: string[]) {
  const io = recordingIo()
  const code = await main(['plan', ...argv], io)
  return { code, out: io.out, err: io.err }
}

function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name)
  if (UPDATE) writeFileSync(file, actual)
  if (!existsSync(file)) {
    throw new Error(`${file} is missing; run with UPDATE_GOLDEN=1 to create it`)
  }
  expect(actual).toBe(readFileSync(file, 'utf8'))
}

const EXAMPLES = ['basic', 'microservices', 'full-stack', 'docs-and-tests']
/** View, its flags, and the golden file's suffix after the example name. */
const VIEWS: [view: string, argv: string[], suffix: string][] = [
  ['text', [], 'text.txt'],
  ['tree', ['--tree'], 'tree.txt'],
  ['json', ['--format', 'json'], 'json'],
  ['mermaid', ['--format', 'mermaid'], 'mmd']
]

describe('golden outputs of the examples', () => {
  for (const example of EXAMPLES) {
    it.each(VIEWS)(`${example}: %s`, async (_view, argv, suffix) => {
      const result = await plan(['--plan', `examples/${example}.yaml`, ...argv])
      expect(result.err).toBe('')
      expect(result.code).toBe(0)
      expectGolden(`${example}.${suffix}`, result.out)
    })
  }

  it('cycle: the seed block as text, exit 1', async () => {
    const result = await plan(['--plan', 'examples/cycle.yaml'])
    expect(result.code).toBe(1)
    expect(result.out).toBe('')
    expectGolden('cycle.text.txt', result.err)
  })

  it('cycle: JSON errors, exit 1', async () => {
    const result = await plan([
      '--plan',
      'examples/cycle.yaml',
      '--format',
      'json'
    ])
    expect(result.code).toBe(1)
    expectGolden('cycle.json', result.out)
    const { errors } = problemsJson(result.out)
    expect(errors[0]?.cycle).toEqual([
      'phase-a',
      'phase-b',
      'phase-c',
      'phase-a'
    ])
  })

  it('two independent cycles: one block each', async () => {
    const result = await plan(['--plan', `${GOLDEN}/two-cycles.plan.yaml`])
    expect(result.code).toBe(1)
    expect(
      result.err.match(/^ERROR: Circular dependency detected/gm)
    ).toHaveLength(2)
    expect(result.err).toContain('build-api -> test-api -> build-api')
    expect(result.err).toContain(
      'docs-draft -> docs-edit -> docs-review -> docs-draft'
    )
    expectGolden('two-cycles.text.txt', result.err)
  })
})

describe("the seed's batches", () => {
  async function waves(example: string): Promise<string[][]> {
    const result = await plan([
      '--plan',
      `examples/${example}.yaml`,
      '--format',
      'json'
    ])
    return planJson(result.out).waves
  }

  it('plan-parallel example', async () => {
    expect(await waves('basic')).toEqual([
      ['database-schema', 'frontend-components'],
      ['api-endpoints'],
      ['integration']
    ])
  })

  it('Example 1: microservices', async () => {
    expect(await waves('microservices')).toEqual([
      ['user-service', 'order-service', 'payment-service'],
      ['api-gateway'],
      ['integration-tests']
    ])
  })

  it('Example 1: 30 minutes a service, 150 sequential, 90 on the critical path', async () => {
    const result = await plan([
      '--plan',
      'examples/microservices.yaml',
      '--format',
      'json'
    ])
    const json = planJson(result.out)
    expect(json.totalMinutes).toBe(150)
    expect(json.criticalPath?.minutes).toBe(90)
  })

  it('Example 2: full-stack feature', async () => {
    expect(await waves('full-stack')).toEqual([
      ['database-migrations', 'frontend-components'],
      ['backend-models', 'frontend-state'],
      ['backend-api'],
      ['integration'],
      ['e2e-tests']
    ])
  })

  it('Example 3: documentation and testing', async () => {
    expect(await waves('docs-and-tests')).toEqual([
      ['implement-feature'],
      ['write-docs', 'write-tests', 'write-integration-tests'],
      ['final-review']
    ])
  })

  it('every example phase has a run command and an estimate', () => {
    for (const example of [...EXAMPLES, 'cycle']) {
      const text = readFileSync(`examples/${example}.yaml`, 'utf8')
      const ids = text.match(/^ {2}- id: /gm)?.length ?? 0
      expect(ids).toBeGreaterThan(0)
      expect(text.match(/^ {4}run: /gm)).toHaveLength(ids)
      expect(text.match(/^ {4}estimate_minutes: \d+$/gm)).toHaveLength(ids)
    }
  })
})
