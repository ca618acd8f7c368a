// Bundle entry of the exec action (dist/exec/index.js): reads the settings,
// wires the files and this process (environment, streams, and a signal
// aborted on SIGINT/SIGTERM so the running phase is stopped) and runs the
// step.
import { run } from '../actions/exec.js'
import { readExecSettings } from '../actions/inputs.js'
import * as core from '../actions/log.js'
import { realPlanFiles } from '../actions/ports.js'

async function main(): Promise<void> {
  const stop = new AbortController()
  const onSignal = (): void => {
    stop.abort()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    await run(readExecSettings(), {
      files: realPlanFiles,
      process: {
        env: process.env,
        stdout: text => process.stdout.write(text),
        stderr: text => process.stderr.write(text),
        signal: stop.signal
      }
    })
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

void main()
