// Our lean runner toolkit must write exactly what @actions/core writes: the
// same workflow commands on stdout, the same GITHUB_OUTPUT heredocs (but for
// the random delimiter), the same summary HTML, the same input reading.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import * as official from '@actions/core'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as lean from '../../src/actions/toolkit.js'
import { Summary } from '../../src/actions/job-summary.js'

type Toolkit = Pick<
  typeof lean,
  | 'getInput'
  | 'getBooleanInput'
  | 'setOutput'
  | 'setSecret'
  | 'info'
  | 'debug'
  | 'notice'
  | 'warning'
  | 'error'
  | 'setFailed'
  | 'group'
>

const saved = { ...process.env }
let dir: string

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'toolkit-'))
})

afterEach(() => {
  process.env = { ...saved }
  process.exitCode = undefined
})

/** What `fn` writes to stdout. */
async function stdoutOf(fn: () => unknown): Promise<string> {
  const chunks: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = (chunk: string | Uint8Array) => {
    chunks.push(
      typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
    )
    return true
  }
  try {
    await fn()
  } finally {
    process.stdout.write = write
  }
  return chunks.join('')
}

const commands = async (kit: Toolkit) => {
  kit.info('plain line with %, :: and ,')
  kit.debug('debug\nwith newline\r and 100%')
  kit.notice('a notice')
  kit.warning('warned', {
    file: 'plans/a,b.yaml',
    startLine: 3,
    startColumn: 7,
    title: 'x: y'
  })
  kit.error(new Error('boom'), {
    file: 'plan.yaml',
    startLine: 0,
    endLine: 4,
    endColumn: 2
  })
  kit.error('multi\nline', {})
  kit.setSecret('s3cret')
  await kit.group('a group', () => {
    kit.info('inside')
    return Promise.resolve()
  })
  await expect(
    kit.group('throws', () => Promise.reject(new Error('inner')))
  ).rejects.toThrow('inner')
  kit.setFailed('it failed: 50%')
}

describe('the lean toolkit writes what @actions/core writes', () => {
  test('workflow commands on stdout, and setFailed sets exit code 1', async () => {
    const ours = await stdoutOf(() => commands(lean))
    expect(process.exitCode).toBe(1)
    process.exitCode = undefined
    const theirs = await stdoutOf(() => commands(official))
    expect(process.exitCode).toBe(1)
    expect(ours).toBe(theirs)
    expect(ours).toContain(
      '::warning title=x%3A y,file=plans/a%2Cb.yaml,line=3,col=7::warned'
    )
  })

  test('outputs as GITHUB_OUTPUT heredocs with a random delimiter', () => {
    const write = (kit: Toolkit, file: string) => {
      writeFileSync(file, '')
      process.env['GITHUB_OUTPUT'] = file
      kit.setOutput('matrix', '{"include":[]}')
      kit.setOutput('multi', 'line 1\nline 2')
      kit.setOutput('number', 3)
      kit.setOutput('object', { a: [1] })
      return readFileSync(file, 'utf8')
    }
    const ours = write(lean, path.join(dir, 'ours'))
    const theirs = write(official, path.join(dir, 'theirs'))
    const normal = (text: string) =>
      text.replace(/ghadelimiter_[0-9a-f-]{36}/g, 'DELIM')
    expect(normal(ours)).toBe(normal(theirs))
    const delimiters = ours.match(/ghadelimiter_[0-9a-f-]{36}/g) ?? []
    expect(new Set(delimiters).size).toBe(4)
  })

  test('without GITHUB_OUTPUT: the set-output command', async () => {
    delete process.env['GITHUB_OUTPUT']
    const ours = await stdoutOf(() => {
      lean.setOutput('a', 'b')
    })
    const theirs = await stdoutOf(() => {
      official.setOutput('a', 'b')
    })
    expect(ours).toBe(theirs)
  })

  test('a missing GITHUB_OUTPUT file is the same error', () => {
    process.env['GITHUB_OUTPUT'] = path.join(dir, 'nope')
    expect(() => {
      lean.setOutput('a', 'b')
    }).toThrow(`Missing file at path: ${path.join(dir, 'nope')}`)
    expect(() => {
      official.setOutput('a', 'b')
    }).toThrow(`Missing file at path: ${path.join(dir, 'nope')}`)
  })

  test.each([
    ['max-workers', '  3 ', {}],
    ['github-token', ' keep ', { trimWhitespace: false }],
    ['absent', undefined, {}],
    ['with space', 'x', {}]
  ])('getInput(%j)', (name, value, options) => {
    const variable = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
    process.env = { ...saved }
    if (value !== undefined) process.env[variable] = value
    expect(lean.getInput(name, options)).toBe(official.getInput(name, options))
  })

  test('required and boolean inputs fail the same way', () => {
    delete process.env['INPUT_STATE']
    expect(() => lean.getInput('state', { required: true })).toThrow(
      'Input required and not supplied: state'
    )
    process.env['INPUT_ALLOW-FAILURE'] = 'True'
    expect(lean.getBooleanInput('allow-failure')).toBe(true)
    process.env['INPUT_ALLOW-FAILURE'] = 'yes'
    let theirs = ''
    try {
      official.getBooleanInput('allow-failure')
    } catch (error) {
      theirs = (error as Error).message
    }
    expect(() => lean.getBooleanInput('allow-failure')).toThrow(theirs)
  })

  test('the job summary: same HTML, appended to GITHUB_STEP_SUMMARY', async () => {
    const build = (summary: typeof official.summary | Summary) =>
      summary
        .emptyBuffer()
        .addHeading('Report', 2)
        .addHeading('bad level', 9)
        .addRaw('raw text', true)
        .addCodeBlock('flowchart LR', 'mermaid')
        .addCodeBlock('plain')
        .addList(['a', 'b'], true)
        .addTable([
          [
            { data: 'h', header: true },
            { data: 'w', colspan: '2' }
          ],
          ['c1', 'c2']
        ])
        .addDetails('more', 'hidden')
        .addSeparator()
        .addBreak()
        .addQuote('q', 'src')
        .addLink('link', 'https://example.com')
        .stringify()
    const ours = new Summary()
    expect(build(ours)).toBe(build(official.summary))
    expect(ours.isEmptyBuffer()).toBe(false)

    const file = path.join(dir, 'summary.md')
    writeFileSync(file, 'before\n')
    process.env['GITHUB_STEP_SUMMARY'] = file
    expect(await lean.appendSummary('## added')).toBe(true)
    expect(readFileSync(file, 'utf8')).toBe('before\n## added\n')
    delete process.env['GITHUB_STEP_SUMMARY']
    expect(await lean.appendSummary('## nowhere')).toBe(false)
  })
})
