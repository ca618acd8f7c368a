// Bundle entry of the plan action (dist/index.js): reads the settings,
// wires the real files and runs the step. No @actions/github here (cold
// start): the plan step calls no API.
import * as core from '../actions/log.js'
import { readPlanSettings } from '../actions/inputs.js'
import { run } from '../actions/plan.js'
import { realPlanFiles } from '../actions/ports.js'

async function main(): Promise<void> {
  try {
    await run(readPlanSettings(), { files: realPlanFiles })
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}

void main()
