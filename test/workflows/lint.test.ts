// Every workflow of the repository passes actionlint and GitHub's own parser;
// so does the generator's output for other wave counts.
import { describe, expect, test } from '@jest/globals'
import { format, resolveConfig } from 'prettier'
import {
  renderExampleWorkflow,
  renderReusableWorkflow
} from '../../src/render/reusable-workflow.js'
import {
  actionlint,
  committedWorkflows,
  githubParserErrors,
  type WorkflowFile
} from './github.js'

const committed = committedWorkflows()

const generated: WorkflowFile[] = [1, 3].flatMap(waves => [
  { path: `phases-${waves}.yml`, text: renderReusableWorkflow(waves) },
  {
    path: `example-${waves}.yml`,
    text: renderExampleWorkflow({ plan: 'examples/basic.yaml', waves })
  }
])

describe('workflows', () => {
  test('the repository has its four workflows', () => {
    expect(committed.map(file => file.path)).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/check-dist.yml',
        '.github/workflows/example.yml',
        '.github/workflows/phases.yml'
      ])
    )
  })

  test.each([...committed, ...generated])(
    '$path passes actionlint',
    async file => {
      expect(await actionlint(file)).toEqual([])
    }
  )

  test.each([...committed, ...generated])(
    "$path passes GitHub's parser",
    async file => {
      expect(await githubParserErrors(file)).toEqual([])
    }
  )

  test.each([...committed, ...generated])(
    '$path is as Prettier formats it (npm run lint checks it)',
    async file => {
      const options = await resolveConfig('.github/workflows/any.yml')
      const formatted = await format(file.text, { ...options, parser: 'yaml' })
      expect(formatted).toBe(file.text)
    }
  )

  test('the checks can fail: a broken workflow is reported by both', async () => {
    const broken: WorkflowFile = {
      path: 'broken.yml',
      // settle-1's needs, the first list naming wave-1.
      text: renderReusableWorkflow(1).replace(
        '      - wave-1',
        '      - wave-9'
      )
    }
    expect((await actionlint(broken)).join('\n')).toMatch(/wave-9/)
    expect((await githubParserErrors(broken)).join('\n')).toMatch(/wave-9/)
  })
})
