import {
  afterAll,
  beforeAll,
  describe,
  expect,
  jest,
  test
} from '@jest/globals'
import * as realFs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

// Count the bytes src/repo/files.ts reads, to prove that an oversized file is
// refused from its size alone. The real fs does the work.
let bytesRead = 0
jest.unstable_mockModule('node:fs', () => ({
  ...realFs,
  readSync: (...args: Parameters<typeof realFs.readSync>): number => {
    const read = realFs.readSync(...args)
    bytesRead += read
    return read
  },
  readFileSync: (...args: Parameters<typeof realFs.readFileSync>) => {
    const content = realFs.readFileSync(...args)
    bytesRead += content.length
    return content
  }
}))

const { MAX_PLAN_BYTES, readConfigFile, readPlanFile } =
  await import('../src/repo/files.js')

let dir: string
const at = (name: string): string => path.join(dir, name)

beforeAll(() => {
  dir = realFs.mkdtempSync(path.join(tmpdir(), 'phase-matrix-files-'))
})
afterAll(() => {
  realFs.rmSync(dir, { recursive: true, force: true })
})

/** A plan of about `bytes` bytes: phases with deps, descriptions, run lines. */
function planOfSize(bytes: number): { text: string; phases: number } {
  const lines = ['phases:']
  let size = 8
  let n = 0
  while (size < bytes) {
    const id = `phase-${String(n).padStart(6, '0')}`
    const deps = n === 0 ? '[]' : `[phase-${String(n - 1).padStart(6, '0')}]`
    const entry = `  - id: ${id}\n    description: Build part ${n} of the system\n    deps: ${deps}\n    run: npm run build -- --part ${n}`
    lines.push(entry)
    size += entry.length + 1
    n += 1
  }
  return { text: lines.join('\n') + '\n', phases: n }
}

describe('readPlanFile', () => {
  test('a 28 MB file is refused as `too-large` without reading a byte', () => {
    const file = at('huge.yaml')
    // Sparse: 28 MB of NUL bytes. Had it been read, it would be "binary".
    realFs.writeFileSync(file, '')
    realFs.truncateSync(file, 28 * 1024 * 1024)
    bytesRead = 0
    const result = readPlanFile(file)
    expect(bytesRead).toBe(0)
    expect(result.plan).toBeUndefined()
    expect(result.problems).toEqual([
      {
        code: 'too-large',
        severity: 'error',
        message:
          'Phase plan is too large: 28.0 MiB, the limit is 8.0 MiB (refused before reading)',
        file,
        line: 1,
        column: 1
      }
    ])
  })

  test('one byte over the limit is refused; a file at the limit is read', () => {
    const over = at('over.yaml')
    realFs.writeFileSync(over, '')
    realFs.truncateSync(over, MAX_PLAN_BYTES + 1)
    expect(readPlanFile(over).problems.map(p => p.code)).toEqual(['too-large'])
    const limit = at('limit.yaml')
    const text = 'phases:\n  - id: a\n'
    realFs.writeFileSync(limit, text + '#'.repeat(MAX_PLAN_BYTES - text.length))
    bytesRead = 0
    const result = readPlanFile(limit)
    // The counter sees reads (so the 0 above means something).
    expect(bytesRead).toBe(MAX_PLAN_BYTES)
    expect(result.problems).toEqual([])
    expect(result.plan!.phases.map(p => p.id)).toEqual(['a'])
  })

  const endless = realFs.existsSync('/dev/zero') ? test : test.skip
  endless(
    'an endless device is refused unread: only regular files are read',
    () => {
      bytesRead = 0
      const result = readPlanFile('/dev/zero')
      expect(bytesRead).toBe(0)
      expect(result.problems.map(p => p.code)).toEqual(['file-not-found'])
      expect(result.problems[0]!.message).toBe(
        'Phase plan is a device, not a regular file: /dev/zero. To read a plan from a pipe, pass --plan - and send it to standard input'
      )
    }
  )

  test('a 5 MB plan loads', () => {
    const { text, phases } = planOfSize(5 * 1024 * 1024)
    const file = at('five.yaml')
    realFs.writeFileSync(file, text)
    expect(realFs.statSync(file).size).toBeGreaterThanOrEqual(5 * 1024 * 1024)
    const result = readPlanFile(file)
    expect(result.problems).toEqual([])
    expect(result.plan!.phases).toHaveLength(phases)
    const last = result.plan!.phases[phases - 1]!
    expect(last.deps).toEqual([`phase-${String(phases - 2).padStart(6, '0')}`])
    expect(last.position.line).toBe(2 + 4 * (phases - 1))
  })

  test('a missing default plan says to create it or pass --plan', () => {
    const file = at('.prd_runner/phase_plan.yaml')
    const result = readPlanFile(file)
    expect(result.plan).toBeUndefined()
    expect(result.problems).toEqual([
      {
        code: 'file-not-found',
        severity: 'error',
        message: `Phase plan not found: ${file}. Create it (a \`phases:\` list), or pass --plan FILE (the \`plan\` input in Actions) to use another file`,
        file,
        line: 1,
        column: 1
      }
    ])
  })

  test('a missing plan given by name just says it is not there', () => {
    const file = at('nope.yaml')
    expect(readPlanFile(file).problems.map(p => [p.code, p.message])).toEqual([
      ['file-not-found', `Phase plan not found: ${file}`]
    ])
    const underFile = path.join(at('five.yaml'), 'plan.yaml')
    expect(readPlanFile(underFile).problems.map(p => p.code)).toEqual([
      'file-not-found'
    ])
  })

  test('a folder is `file-not-found`, saying it is a folder', () => {
    expect(readPlanFile(dir).problems.map(p => [p.code, p.message])).toEqual([
      ['file-not-found', `Phase plan is a folder, not a file: ${dir}`]
    ])
  })

  test('a UTF-8 byte order mark is dropped, so positions are unchanged', () => {
    const file = at('bom.yaml')
    realFs.writeFileSync(file, '\uFEFFphases:\n  - id: a\n')
    const result = readPlanFile(file)
    expect(result.problems).toEqual([])
    expect(result.plan!.phases[0]!.position).toEqual({ line: 2, column: 5 })
  })

  test('binary content is a `yaml` problem at the first NUL byte', () => {
    const file = at('binary.yaml')
    realFs.writeFileSync(
      file,
      Buffer.from([0x70, 0x3a, 0x0a, 0x41, 0x00, 0xff])
    )
    expect(
      readPlanFile(file).problems.map(p => [p.code, p.line, p.column])
    ).toEqual([['yaml', 2, 2]])
  })

  test('problems inside the file carry its path', () => {
    const file = at('bad.yaml')
    realFs.writeFileSync(file, 'phases:\n  - id: 1.10\n')
    expect(readPlanFile(file).problems).toEqual([
      {
        code: 'schema',
        severity: 'error',
        message: 'id 1.10 is a number; write it in quotes: "1.10"',
        file,
        line: 2,
        column: 9
      }
    ])
  })
})

describe('readConfigFile', () => {
  test('a missing config is fine unless it was asked for', () => {
    const file = at('.prd_runner/config.yaml')
    expect(readConfigFile(file, false)).toEqual({ settings: {}, problems: [] })
    expect(
      readConfigFile(file, true).problems.map(p => [p.code, p.message])
    ).toEqual([['file-not-found', `Config file not found: ${file}`]])
  })

  test('a config file is read and parsed', () => {
    const file = at('config.yaml')
    realFs.writeFileSync(
      file,
      'parallel:\n  max_workers: 2\n  fail_fast: true\n'
    )
    expect(readConfigFile(file, true)).toEqual({
      settings: { maxWorkers: 2, failFast: true },
      problems: []
    })
  })

  test('an oversized config is refused unread, even when not asked for', () => {
    const file = at('big-config.yaml')
    realFs.writeFileSync(file, '')
    realFs.truncateSync(file, MAX_PLAN_BYTES + 1)
    bytesRead = 0
    expect(readConfigFile(file, false).problems.map(p => p.code)).toEqual([
      'too-large'
    ])
    expect(bytesRead).toBe(0)
  })
})
