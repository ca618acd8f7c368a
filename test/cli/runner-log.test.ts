// Inside a GitHub Actions job (GITHUB_ACTIONS=true) the CLI's reports print
// plan text inert: the runner obeys no description `::warning ...` or id
// `build##[error]x`. JSON stays the same data; generate's workflow and a
// terminal's output stay exactly as they are.
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { main } from '../../src/cli/main.js'
import { inertForRunner } from '../../src/cli/command.js'
import { carriesWorkflowCommand } from '../support/workflow-command.js'
import { recordingIo } from '../cli-helpers.js'
import { HOSTILE_PLAN } from '../support/inert-log.js'
import { workspaceWith } from '../support/run-action.js'

const cwd = workspaceWith({ 'plan.yaml': HOSTILE_PLAN })

async function run(args: string[], env: Record<string, string> = {}) {
  const io = recordingIo({ cwd, env })
  const code = await main([...args, '--plan', 'plan.yaml'], io)
  return { code, out: io.out, err: io.err }
}

const IN_A_JOB = { GITHUB_ACTIONS: 'true' }

describe('the CLI inside a GitHub Actions job', () => {
  test.each([
    [['plan']],
    [['plan', '--tree']],
    [['plan', '--format', 'mermaid']],
    [['simulate']],
    [['check']]
  ])('%j prints no line the runner would obey', async args => {
    const outside = await run(args)
    // Outside a job the plan text is printed as it is…
    expect(carriesWorkflowCommand(outside.out + outside.err)).toBe(true)
    const inside = await run(args, IN_A_JOB)
    expect(inside.code).toBe(outside.code)
    // …inside one, nothing in it acts, and a reader sees the same text.
    expect(carriesWorkflowCommand(inside.out)).toBe(false)
    expect(carriesWorkflowCommand(inside.err)).toBe(false)
    expect(inside.out.replaceAll('\u200b', '')).toBe(
      outside.out.replace(/\r\n?/g, '\n')
    )
  })

  test('plan --format json: the same data, no line the runner would obey', async () => {
    const outside = await run(['plan', '--format', 'json'])
    const inside = await run(['plan', '--format', 'json'], IN_A_JOB)
    expect(carriesWorkflowCommand(outside.out)).toBe(true)
    expect(carriesWorkflowCommand(inside.out)).toBe(false)
    expect(JSON.parse(inside.out)).toEqual(JSON.parse(outside.out))
  })

  test('generate writes the same workflow inside a job (it is a file, not a report)', async () => {
    const outside = await run(['generate'])
    const inside = await run(['generate'], IN_A_JOB)
    expect(inside.code).toBe(0)
    expect(inside.out).toBe(outside.out)
  })

  test('inertForRunner: any JSON keeps its data and carries no command', () => {
    const risky = fc.oneof(
      fc.string(),
      fc.constantFrom('::error::x', 'a##[error]b', '\n::add-mask::y', '##[')
    )
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(risky), (value, texts) => {
        const data = { value, texts }
        for (const text of [
          JSON.stringify(data),
          JSON.stringify(data, null, 2)
        ]) {
          const inert = inertForRunner(text)
          expect(JSON.parse(inert)).toEqual(JSON.parse(text))
          expect(carriesWorkflowCommand(inert)).toBe(false)
        }
      })
    )
  })
})
