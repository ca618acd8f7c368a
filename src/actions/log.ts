// The actions' log, with every message made inert (render/safe-text.ts): plan
// text printed here (descriptions, ids, keys, problem messages) can never
// be read by the runner as a workflow command. Action modules log only
// through this module; @actions/core below it does the rest.
import * as core from '@actions/core'
import { logSafe } from '../render/safe-text.js'
import type { RunContext } from './inputs.js'

export type { AnnotationProperties } from '@actions/core'
// Inputs are read by inputs.ts alone; the summary is written below.
export { setOutput } from '@actions/core'

function safe(message: string | Error): string {
  return logSafe(message instanceof Error ? message.toString() : message)
}

function safeProperties(
  properties: core.AnnotationProperties
): core.AnnotationProperties {
  const copy = { ...properties }
  if (copy.title !== undefined) copy.title = logSafe(copy.title)
  return copy
}

export function info(message: string): void {
  core.info(logSafe(message))
}

export function debug(message: string): void {
  core.debug(logSafe(message))
}

export function error(
  message: string | Error,
  properties: core.AnnotationProperties = {}
): void {
  core.error(safe(message), safeProperties(properties))
}

export function warning(
  message: string | Error,
  properties: core.AnnotationProperties = {}
): void {
  core.warning(safe(message), safeProperties(properties))
}

export function notice(
  message: string | Error,
  properties: core.AnnotationProperties = {}
): void {
  core.notice(safe(message), safeProperties(properties))
}

export function setFailed(message: string | Error): void {
  core.setFailed(safe(message))
}

export function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return core.group(logSafe(name), fn)
}

// The one summary writer of the actions. Outside a runner there is no
// GITHUB_STEP_SUMMARY file (the run context says so): @actions/core's
// summary would throw there, and a report that cannot be written must not
// fail a step that did its work.

/** Appends Markdown to the job summary; false (and nothing written) outside a runner. */
export async function appendSummary(
  run: Pick<RunContext, 'stepSummary'>,
  markdown: string
): Promise<boolean> {
  if (!run.stepSummary) return false
  await core.summary.addRaw(markdown, true).write()
  return true
}
