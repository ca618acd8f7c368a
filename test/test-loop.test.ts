// The test loop stays quick and stays true on a busy machine: `npm test`
// (jest's `fast` project) never runs a bundle of dist/, which it does not
// build, so every test file that does is listed in test/slow-tests.json
// (`npm run test:slow`, after the build); and no test reads the clock to
// assert on how long something took, or sets a jest timeout under 120 s.
import { describe, expect, test } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

const slow = JSON.parse(readFileSync('test/slow-tests.json', 'utf8')) as Record<
  string,
  string
>

/** Every .ts file under test/ (fixtures hold data, not tests). */
function testSources(dir = 'test'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory())
      return entry.name === 'fixtures' ? [] : testSources(file)
    return entry.name.endsWith('.ts') ? [file] : []
  })
}

const files = testSources().map(file => ({
  file: file.split(path.sep).join('/'),
  text: readFileSync(file, 'utf8')
}))

/** What a test that starts a built bundle (or the packed package) calls. */
const RUNS_A_BUNDLE =
  /\b(?:runAction|playRun|execLeg|requireBundle)\(|dist\/(?:[a-z]+\/)?index\.js|'pack'/

describe('the test loop', () => {
  test('every listed slow test exists and says why it is slow', () => {
    for (const [file, why] of Object.entries(slow)) {
      expect(existsSync(file)).toBe(true)
      expect(file).toMatch(/\.test\.ts$/)
      expect(why.length).toBeGreaterThan(0)
    }
  })

  test('every test file that runs a bundle of dist/ is a slow test', () => {
    const running = files
      .filter(f => f.file.endsWith('.test.ts') && RUNS_A_BUNDLE.test(f.text))
      .map(f => f.file)
      // action-yml.test.ts only checks that each action's `main` is there;
      // this file names the calls.
      .filter(
        file =>
          file !== 'test/actions/action-yml.test.ts' &&
          file !== 'test/test-loop.test.ts'
      )
    expect(running.filter(file => !(file in slow))).toEqual([])
  })

  test('no test reads the clock to time something', () => {
    const timed = files.filter(f =>
      /\bDate\.now\(\)|\bperformance\.now\(\)|process\.hrtime/.test(f.text)
    )
    expect(timed.map(f => f.file)).toEqual([])
  })

  test('no jest timeout under 120 s', () => {
    const short = files.flatMap(f =>
      [...f.text.matchAll(/^\s*\}, ([\d_]+)\)$/gm)]
        .map(m => Number((m[1] ?? '').replace(/_/g, '')))
        .filter(ms => ms < 120_000)
        .map(ms => `${f.file}: ${ms}`)
    )
    expect(short).toEqual([])
  })

  test('lint runs in the slow half, so CI (npm test, then test:slow) still lints', () => {
    const runner = readFileSync('scripts/test.mjs', 'utf8')
    const slowSteps = runner.slice(
      runner.indexOf('? ['),
      runner.indexOf(': [', runner.indexOf('? ['))
    )
    expect(slowSteps).toContain("run('lint', npm, ['run', '--silent', 'lint'])")
    const scripts = (
      JSON.parse(readFileSync('package.json', 'utf8')) as {
        scripts: Record<string, string>
      }
    ).scripts
    expect(scripts['lint']).toBe('eslint . && prettier --check .')
    expect(scripts['test:all']).toBe('npm test && npm run test:slow')
  })
})
