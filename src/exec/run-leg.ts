// Runs the phases of one leg (`phase-matrix exec` and the exec action): the
// one way a phase runs in the waves mode. Up to `concurrency` phases run at
// once, each as soon as its dependencies inside the leg have ended; with 1
// they run one after another in the leg's order, their output streamed,
// and with more each phase's output is kept and printed as its own log
// group when it ends. Each
// phase's command goes to bash exactly as written: it is written to a file
// and bash runs that file (`bash --noprofile --norc -eo pipefail FILE`, the
// shell of a `run:` step), so quotes, `$(…)` and `${{` reach bash untouched
// and nothing is interpolated. Each phase runs in its own process group:
// its timeout-minutes kills the whole group (SIGTERM, then SIGKILL after a
// grace), and so does a cancelled leg. A failure does not stop the leg:
// phases that do not depend on it still run.
//
// A phase cannot speak for its leg: it gets its own GITHUB_OUTPUT,
// GITHUB_ENV and GITHUB_PATH files (not the step's) and an environment
// without the runner's runtime tokens and the action's INPUT_*, so only
// exec writes the leg's record (src/plan/leg-record.ts). Edge module:
// processes, files, clock.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { at, numberAt } from '../plan/at.js'
import {
  encodeLegRecord,
  legDigest,
  type RecordedPhase,
  type RecordedStatus,
  checkedOutputs,
  encodedSize,
  inputsOf,
  type Outputs,
  type OutputsById
} from '../plan/leg-record.js'
import { blockingDependency } from '../plan/leg-inputs.js'
import { maxAttempts } from '../plan/types.js'
import type { PlanAnalysis } from '../plan/types.js'
import { formatSeconds } from '../render/report.js'
import { logSafe } from '../render/safe-text.js'

interface RunLegOptions {
  analysis: PlanAnalysis
  /** The leg's name, for PHASE_LEG and the log. */
  leg: string
  /** Plan indices in the order to run them (legOrder). */
  order: readonly number[]
  cwd: string
  env: Record<string, string | undefined>
  /** Standard output and error of the leg (the phases' output goes here too). */
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Log groups and error annotations as the runner reads them (in Actions). */
  workflowCommands: boolean
  /** Between SIGTERM and SIGKILL when a phase is stopped. */
  killGraceMs?: number
  /** Aborted when the leg is cancelled: the running phases are stopped, the rest never run. */
  signal?: AbortSignal
  /** Phases at once (leg-concurrency), ≥ 1; default 1. */
  concurrency?: number
  /**
   * Called each time a phase ends or is skipped, with how every phase
   * stands (a phase not ended yet is `not-run`): exec writes the record so
   * far, so a leg whose process is killed still tells what finished.
   */
  onProgress?: (ran: LegRun) => void
  now?: () => number
  /**
   * Outputs of the phases of earlier rounds (or of the jobs this one
   * needs), by id: a phase's $PHASE_INPUTS holds those of its direct
   * dependencies outside the leg.
   */
  earlierOutputs?: OutputsById
  /** Most characters the leg's outputs may take in its record (legOutputsLimit); none: no leg limit. */
  legOutputsLimit?: number
}

/** Where one phase's log goes: straight through, or kept until it ends. */
interface PhaseLog {
  line: (text: string) => void
  stdout: (chunk: string) => void
  stderr: (chunk: string) => void
}

/**
 * What the runner gives a step that a phase must not have: the tokens of
 * the runner's services (artifacts, cache, results, OIDC) and the action's
 * inputs. A `run:` step never sees them either.
 */
const RUNNER_ONLY = [
  /^ACTIONS_RUNTIME_TOKEN$/,
  /^ACTIONS_RUNTIME_URL$/,
  /^ACTIONS_ID_TOKEN_REQUEST_/,
  /^ACTIONS_CACHE_URL$/,
  /^ACTIONS_CACHE_SERVICE_V2$/,
  /^ACTIONS_RESULTS_URL$/,
  /^INPUT_/,
  // The records of earlier rounds and the outputs of needed jobs: exec's
  // (a phase reads its dependencies' outputs from $PHASE_INPUTS).
  /^PHASE_MATRIX_ROUND_/,
  /^PHASE_MATRIX_NEEDS(_|$)/
]

/** The step's file commands: a phase gets its own (removed afterwards). */
const FILE_COMMANDS = [
  'GITHUB_OUTPUT',
  'GITHUB_ENV',
  'GITHUB_PATH',
  'GITHUB_STATE'
] as const

/**
 * A phase's environment: the step's, less what only the runner and exec
 * may use, with its own file-command files in `folder`.
 */
function phaseEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  folder: string,
  position: number
): Record<string, string | undefined> {
  const own: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(env)) {
    if (!RUNNER_ONLY.some(pattern => pattern.test(name))) own[name] = value
  }
  for (const name of FILE_COMMANDS) {
    const file = path.join(folder, `phase-${position}.${name.toLowerCase()}`)
    writeFileSync(file, '', { mode: 0o600 })
    own[name] = file
  }
  return own
}

interface PhaseRun {
  status: 'succeeded' | 'failed' | 'timed-out' | 'not-run'
  exitCode?: number | null
  signal?: string | null
  /** Why a command that exited 0 failed (its outputs). */
  problem?: string
  /** What it wrote to $PHASE_OUTPUT, when it succeeded. */
  outputs?: Outputs
}

/** `%`, CR and LF escaped as a workflow command's message wants them. */
function commandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function stopGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

/** Runs one command file in its own process group until it ends, times out or is cancelled. */
function runCommand(
  file: string,
  options: RunLegOptions,
  log: PhaseLog,
  env: Record<string, string | undefined>,
  timeoutMs: number | undefined
): Promise<PhaseRun> {
  return new Promise<PhaseRun>(resolve => {
    const child = spawn(
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', file],
      {
        cwd: options.cwd,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let timedOut = false
    let cancelled = false
    let killTimer: NodeJS.Timeout | undefined
    const stop = (): void => {
      if (child.pid === undefined) return
      stopGroup(child.pid, 'SIGTERM')
      killTimer = setTimeout(() => {
        if (child.pid !== undefined) stopGroup(child.pid, 'SIGKILL')
      }, options.killGraceMs ?? 5000)
    }
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true
            stop()
          }, timeoutMs)
    const onAbort = (): void => {
      cancelled = true
      stop()
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    child.stdout.on('data', (chunk: Buffer) => {
      log.stdout(chunk.toString('utf8'))
    })
    child.stderr.on('data', (chunk: Buffer) => {
      log.stderr(chunk.toString('utf8'))
    })
    let settled = false
    const finish = (run: PhaseRun): void => {
      if (settled) return
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      if (killTimer !== undefined) clearTimeout(killTimer)
      options.signal?.removeEventListener('abort', onAbort)
      resolve(run)
    }
    child.on('error', error => {
      log.stderr(`Could not start bash: ${error.message}\n`)
      finish({ status: 'failed', exitCode: null })
    })
    child.on('exit', (code, signal) => {
      // A background process may hold the pipes open: wait a moment for
      // the rest of the output, no longer.
      const done = (): void => {
        finish({
          status: timedOut
            ? 'timed-out'
            : cancelled
              ? 'not-run'
              : code === 0
                ? 'succeeded'
                : 'failed',
          exitCode: code,
          signal
        })
      }
      if (child.stdout.readableEnded && child.stderr.readableEnded) done()
      else {
        const wait = setTimeout(() => {
          child.stdout.destroy()
          child.stderr.destroy()
          done()
        }, 1000)
        child.on('close', () => {
          clearTimeout(wait)
          done()
        })
      }
    })
  })
}

function describeEnd(
  run: PhaseRun,
  timeoutMinutes: number | undefined
): string {
  switch (run.status) {
    case 'succeeded':
      return 'succeeded'
    case 'timed-out':
      return `timed out after ${timeoutMinutes ?? '?'} minute(s) (timeout-minutes); its processes were stopped`
    case 'not-run':
      return 'stopped: the leg was cancelled'
    case 'failed':
      if (run.problem !== undefined) return `failed: ${run.problem}`
      return run.exitCode === null || run.exitCode === undefined
        ? `failed (ended by signal ${run.signal ?? 'unknown'})`
        : `failed with exit code ${run.exitCode}`
  }
}

/** How each phase of the leg ended, by plan index. */
export type LegRun = Map<number, RecordedPhase>

/**
 * Runs the leg; returns how each phase ended, by plan index (a phase the
 * leg never reached is `not-run`). A phase starts once its dependencies in
 * the leg have ended, and is skipped when one did not succeed; at most
 * `concurrency` run at once, picked in the leg's order. A phase without a
 * `run` command succeeds at once; a done phase (`status: done`) is not run.
 * O(phases × deps) bookkeeping besides the processes.
 */
export async function runLeg(options: RunLegOptions): Promise<LegRun> {
  const { analysis } = options
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1))
  const phases = analysis.plan.phases
  const out = (line: string): void => {
    options.stdout(`${line}\n`)
  }
  const marked: LegRun = new Map(
    options.order.map(index => [index, { status: 'not-run' }])
  )
  const outcome = new Map<number, 'succeeded' | 'not-succeeded'>()
  const inLeg = new Set(options.order)
  // RUNNER_TEMP is set on GitHub runners only; elsewhere the OS temp folder.
  const folder = mkdtempSync(
    path.join(options.env['RUNNER_TEMP'] ?? tmpdir(), 'phase-matrix-leg-')
  )
  const waiting = [...options.order.entries()]
  const running = new Set<Promise<void>>()
  /** Characters the leg's outputs take so far. */
  const used = { outputs: 0 }
  /** Its dependencies in the leg have all ended. */
  const ready = (index: number): boolean =>
    at(analysis.depsOf, index).every(dep => !inLeg.has(dep) || outcome.has(dep))
  try {
    while (waiting.length > 0 || running.size > 0) {
      // The leg's order is a dependency order: a phase a skip makes ready
      // comes later in `waiting`, so one pass decides it.
      for (
        let next = 0;
        next < waiting.length &&
        running.size < concurrency &&
        options.signal?.aborted !== true;
      ) {
        const [position, index] = at(waiting, next)
        if (!ready(index)) {
          next++
          continue
        }
        waiting.splice(next, 1)
        const blocker = blockingDependency(analysis, index, outcome)
        if (blocker !== undefined) {
          marked.set(index, { status: 'skipped' })
          outcome.set(index, 'not-succeeded')
          out(
            logSafe(
              `⊘ Phase ${at(phases, index).id} skipped: dependency ${blocker.id} did not succeed`
            )
          )
          options.onProgress?.(marked)
          continue
        }
        const started = runPhase(options, folder, position, index, {
          buffered: concurrency > 1,
          marked,
          outcome,
          used
        })
          .then(() => options.onProgress?.(marked))
          .finally(() => running.delete(started))
        running.add(started)
      }
      if (running.size === 0) break
      await Promise.race(running)
    }
  } finally {
    await Promise.allSettled(running)
    rmSync(folder, { recursive: true, force: true })
  }
  return marked
}

/** Runs one phase of the leg and records how it ended. */
async function runPhase(
  options: RunLegOptions,
  folder: string,
  position: number,
  index: number,
  state: {
    buffered: boolean
    marked: LegRun
    outcome: Map<number, 'succeeded' | 'not-succeeded'>
    used: { outputs: number }
  }
): Promise<void> {
  const { analysis } = options
  const now = options.now ?? Date.now
  const phase = at(analysis.plan.phases, index)
  const kept: string[] = []
  const out = state.buffered
    ? (chunk: string) => kept.push(chunk)
    : options.stdout
  const err = state.buffered ? out : options.stderr
  // Our lines start on their own even after a phase's output that ends
  // mid-line (`printf x`).
  let midLine = false
  const track =
    (write: (chunk: string) => void) =>
    (chunk: string): void => {
      if (chunk !== '') midLine = !chunk.endsWith('\n')
      write(chunk)
    }
  const log: PhaseLog = {
    line: text => {
      out(`${midLine ? '\n' : ''}${text}\n`)
      midLine = false
    },
    stdout: track(out),
    stderr: track(err)
  }
  const entry: RecordedPhase = { status: 'not-run' }
  state.marked.set(index, entry)
  const title = logSafe(`Phase ${phase.id}`)
  log.line(options.workflowCommands ? `::group::${title}` : `── ${title}`)
  const started = now()
  entry.start = started
  const attempts = phase.done ? 1 : maxAttempts(phase)
  let run: PhaseRun = { status: 'not-run' }
  let what = ''
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const began = now()
    run = await attemptPhase(options, folder, position, index, log, state)
    if (attempt > 1) entry.attempts = attempt
    what = describeEnd(run, phase.timeoutMinutes)
    const again =
      (run.status === 'failed' || run.status === 'timed-out') &&
      attempt < attempts &&
      options.signal?.aborted !== true
    if (attempts > 1) {
      const took = formatSeconds(Math.round((now() - began) / 1000)) || '0s'
      log.line(
        logSafe(
          `Attempt ${attempt} of ${attempts}: ${what} (${took})${again ? '; running it again (retries)' : ''}`
        )
      )
    }
    if (!again) break
  }
  const ended = now()
  entry.end = ended
  entry.status = run.status
  if (run.outputs !== undefined && Object.keys(run.outputs).length > 0) {
    entry.outputs = run.outputs
    state.used.outputs += encodedSize(phase.id, run.outputs)
  }
  state.outcome.set(
    index,
    run.status === 'succeeded' ? 'succeeded' : 'not-succeeded'
  )
  const took = formatSeconds(Math.round((ended - started) / 1000)) || '0s'
  const flaky =
    run.status === 'succeeded' && (entry.attempts ?? 1) > 1
      ? ` on attempt ${entry.attempts ?? 1}: flaky`
      : ''
  const tries =
    run.status !== 'succeeded' && (entry.attempts ?? 1) > 1
      ? ` (all ${entry.attempts ?? 1} attempts)`
      : ''
  log.line(
    logSafe(
      `${run.status === 'succeeded' ? '✓' : '✗'} Phase ${phase.id} ${what}${flaky}${tries} (${took})`
    )
  )
  if (options.workflowCommands) log.line('::endgroup::')
  if (run.status === 'failed' || run.status === 'timed-out') {
    const message = `Phase ${phase.id} ${what}${tries}`
    log.line(
      options.workflowCommands
        ? `::error::${commandData(logSafe(message))}`
        : message
    )
  } else if (flaky !== '') {
    const message = `Phase ${phase.id} is flaky: it failed ${(entry.attempts ?? 1) - 1} time(s), then succeeded on attempt ${entry.attempts ?? 1} of ${attempts}`
    log.line(
      options.workflowCommands
        ? `::warning::${commandData(logSafe(message))}`
        : message
    )
  }
  if (state.buffered) options.stdout(kept.join(''))
}

/** One run of a phase's command (a done phase or one without a command succeeds at once). */
async function attemptPhase(
  options: RunLegOptions,
  folder: string,
  position: number,
  index: number,
  log: PhaseLog,
  state: { marked: LegRun; used: { outputs: number } }
): Promise<PhaseRun> {
  const { analysis } = options
  const phase = at(analysis.plan.phases, index)
  if (phase.done) {
    log.line('status: done in the plan: not run.')
    return { status: 'succeeded' }
  }
  if (phase.run === undefined || phase.run.trim() === '') {
    log.line(logSafe(`Phase ${phase.id} has no run command: nothing to do.`))
    return { status: 'succeeded' }
  }
  const file = path.join(folder, `phase-${position}.sh`)
  writeFileSync(file, phase.run, { mode: 0o600 })
  // Fresh file-command files each attempt: a failed attempt leaves nothing.
  const outputFile = path.join(folder, `phase-${position}.output`)
  writeFileSync(outputFile, '', { mode: 0o600 })
  // Its direct dependencies' outputs: from this leg, else from earlier rounds.
  const inputsFile = path.join(folder, `phase-${position}.inputs.json`)
  const inLeg = new Map<string, Outputs | undefined>()
  for (const dep of at(analysis.depsOf, index)) {
    const ran = state.marked.get(dep)
    if (ran !== undefined)
      inLeg.set(at(analysis.plan.phases, dep).id, ran.outputs)
  }
  writeFileSync(
    inputsFile,
    JSON.stringify(
      inputsOf(phase.deps, id =>
        inLeg.has(id) ? inLeg.get(id) : options.earlierOutputs?.[id]
      )
    ),
    { mode: 0o600 }
  )
  const env = {
    ...phaseEnvironment(options.env, folder, position),
    PHASE_ID: phase.id,
    PHASE_WAVE: String(numberAt(analysis.waveOf, index) + 1),
    PHASE_LEG: options.leg,
    PHASE_OUTPUT: outputFile,
    PHASE_INPUTS: inputsFile
  }
  const timeoutMs =
    phase.timeoutMinutes === undefined
      ? undefined
      : phase.timeoutMinutes * 60_000
  const run = await runCommand(file, options, log, env, timeoutMs)
  if (run.status !== 'succeeded') return run
  return withOutputs(run, phase.id, readFileSync(outputFile, 'utf8'), {
    used: state.used.outputs,
    limit: options.legOutputsLimit
  })
}

/** A run that exited 0 with its outputs, or failed by them (checkedOutputs). */
function withOutputs(
  run: PhaseRun,
  id: string,
  text: string,
  leg: { used: number; limit: number | undefined }
): PhaseRun {
  if (text === '') return run
  const checked = checkedOutputs(id, text, leg)
  return 'problem' in checked
    ? { status: 'failed', exitCode: 0, problem: checked.problem }
    : { ...run, outputs: checked.outputs }
}

/** Where a leg's record says it ran. */
interface LegPlace {
  round: number
  attempt: number
  leg: number
}

/**
 * The leg's record (src/plan/leg-record.ts) as exec writes it: its phases
 * in the order of the ids given (the order settle expects), a phase not
 * ended yet as `not-run`.
 */
export function legRecordText(
  analysis: PlanAnalysis,
  ids: readonly string[],
  ran: LegRun,
  place: LegPlace
): string {
  const byId = new Map(
    [...ran].map(([index, phase]) => [
      at(analysis.plan.phases, index).id,
      phase
    ])
  )
  const outputs: OutputsById = Object.fromEntries(
    ids.flatMap(id => {
      const phase = byId.get(id)
      return phase?.status === 'succeeded' && phase.outputs !== undefined
        ? [[id, phase.outputs] as const]
        : []
    })
  )
  return encodeLegRecord({
    ...place,
    digest: legDigest(ids),
    phases: ids.map(id => {
      const phase = byId.get(id)
      // A phase still running has not run to an end: not-run, no times.
      if (phase === undefined || phase.status === 'not-run')
        return { status: 'not-run' as const }
      // The outputs travel once, by id, in the record's `o`.
      const copy: RecordedPhase = { ...phase }
      delete copy.outputs
      return copy
    }),
    outputs
  })
}

/** True when every phase of the leg succeeded. */
export function legSucceeded(run: LegRun): boolean {
  return [...run.values()].every(phase => phase.status === 'succeeded')
}

export type { RecordedStatus }
