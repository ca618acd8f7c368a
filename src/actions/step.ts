// How every action's run(settings, ports) ends: the step's work in one
// try, and one catch that turns any error into the step's failure
// (core.setFailed) with a message the action chooses. run() never throws.
import { errorMessage } from '../repo/files.js'
import * as core from './log.js'

/** An action's work, or its run(): settings and ports in, effects out. */
export type ActionRun<S, P> = (settings: S, ports: P) => Promise<void>

/** The failure message for an error (and any reporting the action does first). */
type FailureMessage<S> = (
  error: unknown,
  settings: S
) => string | Promise<string>

/** `work` as run(): never throws; a failure is the step's (core.setFailed). */
export function actionStep<S, P>(
  work: ActionRun<S, P>,
  failureMessage: FailureMessage<S> = errorMessage
): ActionRun<S, P> {
  return async (settings, ports) => {
    try {
      await work(settings, ports)
    } catch (error) {
      core.setFailed(await failureMessage(error, settings))
    }
  }
}
