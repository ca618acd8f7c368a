// Paths in a generated workflow's header are data from the repository: the
// CLI's check follows them only inside the working folder, after resolving
// `..` and symbolic links (the check action does the same, with the same code).
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { main } from '../../src/cli/main.js'
import { recordingIo, type RecordingIo } from '../cli-helpers.js'

const PLAN = 'phases:\n  - id: a\n  - id: b\n    deps: [a]\n'
const SECRET = 'parallel:\n  max_workers: SECRET-CONTENT-42\n'

let outside: string
let repo: string

beforeEach(() => {
  outside = mkdtempSync(path.join(tmpdir(), 'phase-matrix-header-'))
  repo = path.join(outside, 'repo')
  mkdirSync(repo)
  writeFileSync(path.join(outside, 'secret.yaml'), SECRET)
  writeFileSync(path.join(repo, 'plan.yaml'), PLAN)
})
afterEach(() => {
  rmSync(outside, { recursive: true, force: true })
})

async function run(...argv: string[]): Promise<RecordingIo & { code: number }> {
  const io = recordingIo({ cwd: repo })
  const code = await main(argv, io)
  return Object.assign(io, { code })
}

/** A current workflow whose header's flags line then names `flag value` too. */
async function workflowNaming(flag: string, value: string): Promise<void> {
  expect(
    (await run('generate', '--plan', 'plan.yaml', '--out', 'w.yml')).code
  ).toBe(0)
  const file = path.join(repo, 'w.yml')
  // The flags line is what check reads (a later key wins in JSON).
  const text = readFileSync(file, 'utf8').replace(
    '{"plan":"plan.yaml"',
    `{"plan":"plan.yaml",${JSON.stringify(flag.slice(2))}:${JSON.stringify(value)}`
  )
  writeFileSync(file, text)
}

describe('check --workflow: header paths stay inside the repository', () => {
  test.each([
    ['--config', '<outside>/secret.yaml', 'an absolute path'],
    ['--config', '/etc/passwd', 'an absolute path'],
    ['--config', '../secret.yaml', 'a path with ..'],
    ['--template', 'sub/../../secret.yaml', 'a path with ..'],
    ['--plan', '../secret.yaml', 'a path with ..']
  ])('%s %s (%s) is refused', async (flag, given) => {
    const value = (): string => given.replace('<outside>', outside)
    await workflowNaming(flag, value())
    const result = await run('check', '--workflow', 'w.yml')
    expect(result.code).toBe(2)
    expect(result.err).toContain(
      `names the ${flag.slice(2)} '${value()}', outside the repository`
    )
    expect(result.out + result.err).not.toContain('SECRET-CONTENT')
  })

  test.each(['--config', '--template', '--plan'])(
    '%s naming a symbolic link out of the repository is refused',
    async flag => {
      symlinkSync(
        path.join(outside, 'secret.yaml'),
        path.join(repo, 'link.yaml')
      )
      await workflowNaming(flag, 'link.yaml')
      const result = await run('check', '--workflow', 'w.yml')
      expect(result.code).toBe(2)
      expect(result.err).toMatch(
        /names the \w+ 'link\.yaml', outside the repository \(a link to .*secret\.yaml\)/
      )
      expect(result.out + result.err).not.toContain('SECRET-CONTENT')
    }
  )

  test('a folder that is a link out of the repository is refused too', async () => {
    symlinkSync(outside, path.join(repo, 'up'))
    await workflowNaming('--config', 'up/secret.yaml')
    const result = await run('check', '--workflow', 'w.yml')
    expect(result.code).toBe(2)
    expect(result.err).toContain('outside the repository')
  })

  test('a loop of links is a clear error, not ELOOP', async () => {
    symlinkSync('loop-b.yaml', path.join(repo, 'loop-a.yaml'))
    symlinkSync('loop-a.yaml', path.join(repo, 'loop-b.yaml'))
    await workflowNaming('--config', 'loop-a.yaml')
    const result = await run('check', '--workflow', 'w.yml')
    expect(result.code).toBe(2)
    expect(result.err).toContain("'loop-a.yaml', a loop of symbolic links")
  })

  test('links that stay inside, and paths given as flags, are followed', async () => {
    writeFileSync(
      path.join(repo, 'config.yaml'),
      'parallel:\n  max_workers: 2\n'
    )
    symlinkSync('config.yaml', path.join(repo, 'alias.yaml'))
    expect(
      (
        await run(
          'generate',
          '--plan',
          'plan.yaml',
          '--config',
          'alias.yaml',
          '--out',
          'w.yml'
        )
      ).code
    ).toBe(0)
    expect((await run('check', '--workflow', 'w.yml')).code).toBe(0)
    // A flag is the user's own choice: not confined.
    const flagged = await run(
      'check',
      '--workflow',
      'w.yml',
      '--config',
      '../secret.yaml'
    )
    expect(flagged.err).not.toContain('outside the repository')
  })
})
