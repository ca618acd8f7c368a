import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import {
  ESCAPED_OPEN,
  escapeExpressions,
  formatExpressionLength
} from '../../src/render/needs-jobs.js'
import { toWorkflowYaml } from '../../src/render/yaml.js'
import {
  convertedJobs,
  workflowStringValue
} from '../support/github-expressions.js'

/** A one-step workflow whose `run` and job `name` are `text`, escaped. */
function workflowWith(text: string): string {
  return toWorkflowYaml({
    on: { push: null },
    jobs: {
      a: {
        name: escapeExpressions(text),
        'runs-on': 'ubuntu-latest',
        steps: [{ run: escapeExpressions(text) }]
      }
    }
  })
}

describe('escapeExpressions', () => {
  test('every ${{ becomes an expression whose value is ${{', () => {
    expect(escapeExpressions('echo ${{ secrets.X }}')).toBe(
      `echo ${ESCAPED_OPEN} secrets.X }}`
    )
    expect(escapeExpressions('${{${{')).toBe(ESCAPED_OPEN + ESCAPED_OPEN)
    expect(escapeExpressions('no expression $( x ) { }')).toBe(
      'no expression $( x ) { }'
    )
  })

  test('GitHub reads the escaped text back exactly, reading no context', async () => {
    const texts = [
      'echo ${{ secrets.X }}',
      "it's ${{ github.token }} and 'quoted' {0} {{ }} }}",
      '${{',
      '$${{{ x }}}',
      "${{ '${{' }}",
      'multi\nline ${{ env.HOME }}\n',
      'a }} b ${{ c'
    ]
    for (const text of texts) {
      const { jobs, errors } = await convertedJobs(workflowWith(text))
      expect(errors).toEqual([])
      const job = jobs[0]!
      expect(workflowStringValue(job.name)).toBe(text)
      expect(workflowStringValue(job.steps[0]!.run)).toBe(text)
    }
  })

  test('without the escape, GitHub would read a secret (the check can fail)', async () => {
    const raw = toWorkflowYaml({
      on: { push: null },
      jobs: {
        a: {
          'runs-on': 'ubuntu-latest',
          steps: [{ run: 'echo ${{ secrets.X }}' }]
        }
      }
    })
    const { jobs } = await convertedJobs(raw)
    expect(() => workflowStringValue(jobs[0]!.steps[0]!.run)).toThrow(/secrets/)
  })

  test('random text with expressions comes back exactly (property)', async () => {
    const pieces = fc.constantFrom(
      '${{',
      '}}',
      "'",
      '{',
      '}',
      '$',
      ' ',
      'x',
      '\n',
      'secrets.X',
      '"'
    )
    await fc.assert(
      fc.asyncProperty(fc.array(pieces, { maxLength: 12 }), async parts => {
        const text = parts.join('')
        const { jobs, errors } = await convertedJobs(workflowWith(text))
        expect(errors).toEqual([])
        expect(workflowStringValue(jobs[0]!.steps[0]!.run)).toBe(text)
      }),
      { numRuns: 150 }
    )
  })
})

describe('formatExpressionLength', () => {
  test('is the length of the expression GitHub builds', async () => {
    for (const text of [
      'plain',
      'a ${{ b',
      "'q' {x} ${{ y }} ${{",
      'x'.repeat(100) + '${{'
    ]) {
      const escaped = escapeExpressions(text)
      const { jobs } = await convertedJobs(workflowWith(text))
      const run = jobs[0]!.steps[0]!.run as { expr?: string }
      expect(formatExpressionLength(escaped)).toBe(run.expr?.length ?? 0)
    }
  })
})
