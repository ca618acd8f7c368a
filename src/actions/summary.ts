// The one summary writer of the actions. Outside a runner there is no
// GITHUB_STEP_SUMMARY file (the run context says so): @actions/core's
// summary would throw there, and a report that cannot be written must not
// fail a step that did its work.
import * as core from '@actions/core'
import type { RunContext } from './inputs.js'

/** Appends Markdown to the job summary; false (and nothing written) outside a runner. */
export async function appendSummary(
  run: Pick<RunContext, 'stepSummary'>,
  markdown: string
): Promise<boolean> {
  if (!run.stepSummary) return false
  await core.summary.addRaw(markdown, true).write()
  return true
}
