// `phase-matrix exec`: a leg's phases in order, past a failure, each with its
// own timeout, commands run exactly as written, the marker line at the end.
import { describe, expect, test } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { main } from '../../src/cli.js'
import { findLegMarker, LEG_MARKER_PREFIX } from '../../src/plan/leg-marker.js'
import { carriesWorkflowCommand } from '../../src/render/log-safe.js'
import { recordingIo } from '../cli-helpers.js'
import { workspaceWith } from '../support/run-action.js'

function planOf(phases: string): string {
  return `phases:\n${phases}`
}

async function exec(
  cwd: string,
  args: string[],
  env: Record<string, string> = {}
) {
  const io = recordingIo({
    cwd,
    env: { PATH: process.env['PATH'] ?? '', ...env }
  })
  const code = await main(['exec', '--plan', 'plan.yaml', ...args], io)
  return { code, out: io.out, err: io.err }
}

/** Running (a zombie waiting for its parent to reap it has ended). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^\d+ \(.*\) Z/.test(stat)
  } catch {
    return false
  }
}

async function ended(pid: number): Promise<boolean> {
  for (let tries = 0; tries < 20 && isAlive(pid); tries++)
    await new Promise(resolve => setTimeout(resolve, 100))
  return !isAlive(pid)
}

describe('phase-matrix exec', () => {
  test('a failure in the middle of a leg: the others still run, the dependent is skipped, exit 1', async () => {
    const cwd = workspaceWith({
      'plan.yaml': planOf(
        [
          '  - id: first\n    run: echo one > first.txt',
          '  - id: middle\n    run: |\n      echo "going down"\n      exit 3',
          '  - id: last\n    run: echo three > last.txt',
          '  - id: after-middle\n    deps: [middle]\n    run: echo never > never.txt'
        ].join('\n') + '\n'
      )
    })
    const run = await exec(
      cwd,
      ['--leg', 'wave 1 leg 1/1', '--phases', 'after-middle,last,middle,first'],
      { GITHUB_ACTIONS: 'true' }
    )
    expect(run.code).toBe(1)
    expect(readFileSync(path.join(cwd, 'first.txt'), 'utf8')).toBe('one\n')
    expect(readFileSync(path.join(cwd, 'last.txt'), 'utf8')).toBe('three\n')
    expect(existsSync(path.join(cwd, 'never.txt'))).toBe(false)
    // Dependency order: by wave, then plan order; one group each.
    const groups = [...run.out.matchAll(/^::group::Phase (\S+)$/gm)].map(
      m => m[1]
    )
    expect(groups).toEqual(['first', 'middle', 'last'])
    expect(run.out).toContain('going down')
    expect(run.out).toMatch(
      /^✗ Phase middle failed with exit code 3 \(\d+s\)$/m
    )
    expect(run.out).toMatch(/^::error::Phase middle failed with exit code 3$/m)
    expect(run.out).toContain(
      '⊘ Phase after-middle skipped: dependency middle did not succeed'
    )
    const marker = findLegMarker(run.out, 'wave 1 leg 1/1')
    expect(marker?.final).toBe(true)
    expect(marker?.phases.map(p => [p.id, p.status])).toEqual([
      ['first', 'succeeded'],
      ['middle', 'failed'],
      ['last', 'succeeded'],
      ['after-middle', 'skipped']
    ])
    const first = marker?.phases[0]
    expect(Date.parse(first?.end ?? '')).toBeGreaterThanOrEqual(
      Date.parse(first?.start ?? '')
    )
    // One progress marker after each phase, and the final one.
    const markers = run.out
      .split('\n')
      .filter(line => line.startsWith(LEG_MARKER_PREFIX))
    expect(markers).toHaveLength(5)
    for (const line of markers) expect(carriesWorkflowCommand(line)).toBe(false)
  })

  test('a phase killed by its timeout: its whole process group stops, the leg goes on', async () => {
    const cwd = workspaceWith({
      'plan.yaml': planOf(
        [
          '  - id: slow',
          '    timeout-minutes: 0.02',
          '    run: |',
          '      sleep 60 &',
          '      echo $! > background.pid',
          '      sleep 60',
          '  - id: quick\n    run: echo ok > quick.txt'
        ].join('\n') + '\n'
      )
    })
    const started = Date.now()
    const run = await exec(cwd, ['slow', 'quick'])
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(run.code).toBe(1)
    expect(run.out).toMatch(
      /✗ Phase slow timed out after 0\.02 minute\(s\) \(timeout-minutes\); its processes were stopped/
    )
    const background = Number(
      readFileSync(path.join(cwd, 'background.pid'), 'utf8')
    )
    expect(await ended(background)).toBe(true)
    expect(readFileSync(path.join(cwd, 'quick.txt'), 'utf8')).toBe('ok\n')
    const marker = findLegMarker(run.out, 'slow,quick')
    expect(marker?.phases.map(p => p.status)).toEqual([
      'timed-out',
      'succeeded'
    ])
  }, 30_000)

  test('commands with quotes, $(…) and ${{ run exactly as written', async () => {
    const command =
      `printf '%s\\n' "it's \\"quoted\\"" "$(echo sub-shell)" ` +
      '\'${{ github.token }}\' "\\${{ secrets.X }}" > out.txt'
    const cwd = workspaceWith({
      'plan.yaml': planOf(
        `  - id: quoting\n    run: ${JSON.stringify(command)}\n`
      )
    })
    const run = await exec(cwd, ['--phases', '["quoting"]'])
    expect(run.code).toBe(0)
    expect(readFileSync(path.join(cwd, 'out.txt'), 'utf8')).toBe(
      'it\'s "quoted"\nsub-shell\n' + '${{ github.token }}\n${{ secrets.X }}\n'
    )
    expect(findLegMarker(run.out, 'quoting')?.phases[0]?.status).toBe(
      'succeeded'
    )
  })

  test('each phase sees PHASE_ID, PHASE_WAVE and PHASE_LEG; pipefail as in a run: step', async () => {
    const cwd = workspaceWith({
      'plan.yaml': planOf(
        [
          '  - id: env-check\n    run: echo "$PHASE_ID $PHASE_WAVE $PHASE_LEG" > env.txt',
          '  - id: piped\n    run: false | cat'
        ].join('\n') + '\n'
      )
    })
    const run = await exec(cwd, ['--leg', 'L', 'env-check', 'piped'])
    expect(run.code).toBe(1)
    expect(readFileSync(path.join(cwd, 'env.txt'), 'utf8')).toBe(
      'env-check 1 L\n'
    )
    expect(findLegMarker(run.out, 'L')?.phases[1]?.status).toBe('failed')
  })

  test('unknown phase ids and no ids are usage errors', async () => {
    const cwd = workspaceWith({ 'plan.yaml': planOf('  - id: a\n') })
    const unknown = await exec(cwd, ['a', 'b'])
    expect(unknown.code).toBe(2)
    expect(unknown.err).toContain('does not have: b')
    const none = await exec(cwd, [])
    expect(none.code).toBe(2)
    expect(none.err).toContain('no phases to run')
  })
})
