// The one summary writer of the actions. Outside a runner there is no
// GITHUB_STEP_SUMMARY file: @actions/core's summary would throw there, and a
// report that cannot be written must not fail a step that did its work.
import * as core from '@actions/core'

/** Appends Markdown to the job summary; false (and nothing written) outside a runner. */
export async function appendSummary(markdown: string): Promise<boolean> {
  if ((process.env.GITHUB_STEP_SUMMARY ?? '') === '') return false
  await core.summary.addRaw(markdown, true).write()
  return true
}
