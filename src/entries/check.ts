// Bundle entry of the check action (dist/check/index.js): reads the
// settings, wires the real comments and contents API and files and runs
// the step.
import { run } from '../actions/check.js'
import { readCheckSettings } from '../actions/inputs.js'
import { realPlanFiles } from '../actions/ports.js'
import { checkGitHub } from '../github/comments.js'
import { runAction } from '../actions/step.js'

void runAction(readCheckSettings, run, settings => ({
  github: checkGitHub(settings.run, settings.githubToken),
  files: realPlanFiles
}))
