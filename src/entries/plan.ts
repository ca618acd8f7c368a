// Bundle entry of the plan action (dist/index.js): reads the settings,
// wires the real files and runs the step. No @actions/github here (cold
// start): the plan step calls no API.
import { readPlanSettings } from '../actions/inputs.js'
import { run } from '../actions/plan.js'
import { realPlanFiles } from '../actions/ports.js'
import { runAction } from '../actions/step.js'

void runAction(readPlanSettings, run, () => ({ files: realPlanFiles }))
