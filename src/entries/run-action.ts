// The wiring every action entry shares: read the settings, build the real
// ports from them, run the step. run() reports its own failures; what fails
// before it (an invalid input) fails the step here.
import { errorMessage } from '../plan/errors.js'
import * as core from '../actions/log.js'
import type { ActionRun } from '../actions/step.js'

export async function runAction<S, P>(
  readSettings: () => S,
  run: ActionRun<S, P>,
  portsOf: (settings: S) => P
): Promise<void> {
  try {
    const settings = readSettings()
    await run(settings, portsOf(settings))
  } catch (error) {
    core.setFailed(errorMessage(error))
  }
}
