// The exec action: runs the phases of one packed leg (src/exec/run-leg.ts)
// from the plan in the workspace, and fails the step when one of them did
// not succeed. Settle reads the leg's marker line back from the job's log.
// A cancelled step stops the running phase's process group and prints the
// marker of what finished.
import { legSucceeded, runLeg } from '../exec/run-leg.js'
import { PlanError } from '../plan/errors.js'
import { legOrder, parsePhaseList } from '../plan/leg-order.js'
import { loadPlan } from '../load-plan.js'
import { annotateProblems } from './annotations.js'
import { ExecOutputs } from './constants.js'
import { readExecSettings, type ExecSettings } from './inputs.js'
import { workspace } from './run-context.js'
import * as core from './log.js'

async function exec(
  settings: ExecSettings,
  signal: AbortSignal
): Promise<void> {
  const loaded = loadPlan({ planPath: settings.planPath })
  if (loaded.analysis === undefined) throw new PlanError(loaded.problems)
  const analysis = loaded.analysis
  const ids = parsePhaseList(settings.phases)
  const order = legOrder(analysis, ids)
  const leg = settings.leg === '' ? ids.join(',') : settings.leg
  core.info(
    `Leg ${leg}: ${order.length} phase(s) of ${settings.planPath}, one after another.`
  )
  const marker = await runLeg({
    analysis,
    leg,
    order,
    cwd: process.cwd(),
    env: process.env,
    stdout: text => process.stdout.write(text),
    stderr: text => process.stderr.write(text),
    workflowCommands: true,
    signal
  })
  core.setOutput(ExecOutputs.results, JSON.stringify(marker.phases))
  const failed = marker.phases.filter(phase => phase.status !== 'succeeded')
  if (!legSucceeded(marker)) {
    core.setFailed(
      `${failed.length} of ${marker.phases.length} phase(s) of leg ${leg} did not succeed: ` +
        failed.map(phase => `${phase.id} (${phase.status})`).join(', ')
    )
  }
}

export async function run(): Promise<void> {
  const stop = new AbortController()
  const onSignal = (): void => {
    stop.abort()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    await exec(readExecSettings(), stop.signal)
  } catch (error) {
    if (error instanceof PlanError)
      annotateProblems(error.problems, workspace())
    core.setFailed(error instanceof Error ? error.message : String(error))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
