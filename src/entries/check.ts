// Bundle entry of the check action (dist/check/index.js): reads the
// settings, wires the real comments and contents API and files and runs
// the step.
import * as core from '../actions/log.js'
import { run } from '../actions/check.js'
import { readCheckSettings } from '../actions/inputs.js'
import { realPlanFiles } from '../actions/ports.js'
import { checkGitHub } from '../github/adapters.js'

async function main(): Promise<void> {
  try {
    const settings = readCheckSettings()
    await run(settings, {
      github: checkGitHub(settings.run, settings.githubToken),
      files: realPlanFiles
    })
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}

void main()
