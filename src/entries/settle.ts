// Bundle entry of the settle action (dist/settle/index.js): reads the
// settings (the wave jobs' records come through the step's env) and the
// files, and runs the step. No GitHub API: settle needs no token.
import { readSettleSettings } from '../actions/inputs.js'
import { realPlanFiles } from '../actions/ports.js'
import { run } from '../actions/settle.js'
import { runAction } from '../actions/step.js'

void runAction(readSettleSettings, run, () => ({ files: realPlanFiles }))
