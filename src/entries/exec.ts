// Bundle entry of the exec action (dist/exec/index.js): reads the settings,
// wires the files and this process (environment, streams, and a signal
// aborted on SIGINT/SIGTERM so the running phase is stopped) and runs the
// step.
import { run } from '../actions/exec.js'
import { readExecSettings } from '../actions/inputs.js'
import { realPlanFiles } from '../actions/ports.js'
import { runAction } from '../actions/step.js'

const stop = new AbortController()
const onSignal = (): void => {
  stop.abort()
}
process.once('SIGINT', onSignal)
process.once('SIGTERM', onSignal)

void runAction(readExecSettings, run, () => ({
  files: realPlanFiles,
  process: {
    env: process.env,
    stdout: (text: string) => process.stdout.write(text),
    stderr: (text: string) => process.stderr.write(text),
    signal: stop.signal
  }
})).finally(() => {
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
})
