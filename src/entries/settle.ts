// Bundle entry of the settle action (dist/settle/index.js): reads the
// settings, wires the real jobs API and files and runs the step.
import { readSettleSettings } from '../actions/inputs.js'
import { realPlanFiles } from '../actions/ports.js'
import { run } from '../actions/settle.js'
import { settleGitHub } from '../github/adapters.js'
import { runAction } from './run-action.js'

void runAction(readSettleSettings, run, settings => ({
  github: settleGitHub(settings.run, settings.githubToken),
  files: realPlanFiles
}))
