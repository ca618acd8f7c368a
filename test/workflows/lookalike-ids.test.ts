// Phase ids that YAML 1.1 or 1.2 could read as numbers, booleans or null
// (`e0`, `1e5`, `.inf`, `Yes`, `~`…) come out of `generate` as the same
// strings: as job ids (keys), job names and needs (values). The generated
// workflow passes actionlint and GitHub's own parser.
import { describe, expect, test } from '@jest/globals'
import { parse } from 'yaml'
import { DEFAULT_PARALLEL_SETTINGS } from '../../src/plan/types.js'
import { renderNeedsWorkflow } from '../../src/render/needs-workflow.js'
import { isMapping } from '../../src/render/yaml.js'
import { analysed, type PhaseSpec } from '../render/build-plan.js'
import { actionlint, githubParserErrors } from './github.js'

const LOOK_ALIKE_IDS = [
  'e0',
  'E5',
  'e-1',
  '1e5',
  '.inf',
  '.nan',
  '0x10',
  '0o7',
  '0b1',
  '+1',
  '1_000',
  '12:30',
  '2001-12-14',
  'Yes',
  'off',
  'y',
  'null',
  '~'
]

/** Each id depends on the one before it, so every id is also a `needs` entry. */
const chain: PhaseSpec[] = LOOK_ALIKE_IDS.map((id, k) => [
  id,
  k === 0 ? [] : [LOOK_ALIKE_IDS[k - 1] ?? '']
])

function generated(): string {
  const workflow = renderNeedsWorkflow(analysed(chain), {
    settings: DEFAULT_PARALLEL_SETTINGS,
    invocation: { plan: 'plan.yaml', out: '.github/workflows/phases.yml' }
  })
  expect(workflow.problems).toEqual([])
  return workflow.text
}

describe('phase ids that look like other YAML types', () => {
  test('read back as the same strings under YAML 1.2 and 1.1', () => {
    const text = generated()
    const read12: unknown = parse(text, { version: '1.2' })
    expect(parse(text, { version: '1.1' })).toEqual(read12)
    const jobs = isMapping(read12) && isMapping(read12.jobs) ? read12.jobs : {}
    const names = Object.values(jobs).map(job =>
      isMapping(job) ? job.name : undefined
    )
    expect(names).toEqual([...LOOK_ALIKE_IDS, 'phase-matrix gate'])
  })

  test('pass actionlint and GitHub’s parser', async () => {
    const file = { path: '.github/workflows/phases.yml', text: generated() }
    expect(await actionlint(file)).toEqual([])
    expect(await githubParserErrors(file)).toEqual([])
  })
})
