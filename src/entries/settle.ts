// Bundle entry of the settle action (dist/settle/index.js): reads the
// settings, wires the real jobs API and files and runs the step.
import * as core from '../actions/log.js'
import { readSettleSettings } from '../actions/inputs.js'
import { realPlanFiles } from '../actions/ports.js'
import { run } from '../actions/settle.js'
import { settleGitHub } from '../github/adapters.js'

async function main(): Promise<void> {
  try {
    const settings = readSettleSettings()
    await run(settings, {
      github: settleGitHub(settings.run, settings.githubToken),
      files: realPlanFiles
    })
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}

void main()
