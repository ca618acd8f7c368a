// The exec action: runs the phases of one packed leg (src/exec/run-leg.ts)
// from the plan in the workspace, and fails the step when one of them did
// not succeed. Settle reads the leg's marker line back from the job's log.
// A cancelled step stops the running phase's process group and prints the
// marker of what finished (the entry aborts ports.process.signal).
import { legSucceeded, runLeg } from '../exec/run-leg.js'
import { PlanError } from '../plan/errors.js'
import { legOrder, parsePhaseList } from '../plan/leg-order.js'
import { annotatedFailure } from './annotations.js'
import { ExecOutputs } from './constants.js'
import type { ExecSettings } from './inputs.js'
import type { ExecPorts } from './ports.js'
import * as core from './log.js'
import { actionStep } from './step.js'

async function exec(settings: ExecSettings, ports: ExecPorts): Promise<void> {
  const loaded = ports.files.loadPlan({ planPath: settings.planPath })
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
    cwd: settings.run.cwd,
    env: { ...ports.process.env },
    stdout: ports.process.stdout,
    stderr: ports.process.stderr,
    workflowCommands: true,
    signal: ports.process.signal
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

/** The exec step: never throws; a failure is the step's (core.setFailed). */
export const run = actionStep(exec, (error, settings: ExecSettings) =>
  annotatedFailure(error, settings.run.workspace)
)
