// How every action's step runs and ends: the entries' wiring (runAction),
// its work in one try with one catch, and a plan's problems as annotations
// and log text.
import { errorMessage } from '../plan/errors.js'
import * as core from './log.js'
import path from 'node:path'
import { PlanError } from '../plan/errors.js'
import type { Problem } from '../plan/types.js'
import { formatProblems } from '../render/text.js'
import { MAX_SHOWN_ANNOTATIONS } from './constants.js'

// How every action's run(settings, ports) ends: the step's work in one
// try, and one catch that turns any error into the step's failure
// (core.setFailed) with a message the action chooses. run() never throws.

/** An action's work, or its run(): settings and ports in, effects out. */
export type ActionRun<S, P> = (settings: S, ports: P) => Promise<void>

/** The failure message for an error (and any reporting the action does first). */
type FailureMessage<S> = (
  error: unknown,
  settings: S
) => string | Promise<string>

/** `work` as run(): never throws; a failure is the step's (core.setFailed). */
export function actionStep<S, P>(
  work: ActionRun<S, P>,
  failureMessage: FailureMessage<S> = errorMessage
): ActionRun<S, P> {
  return async (settings, ports) => {
    try {
      await work(settings, ports)
    } catch (error) {
      core.setFailed(await failureMessage(error, settings))
    }
  }
}

// Problems of a plan as Actions annotations on the plan's own lines, and as
// text in the log. GitHub shows only the first 10 annotations of each kind
// per step, so every problem is also in the log (and, from the caller, in
// the job summary).

/**
 * The file as GitHub expects it in an annotation: relative to the
 * workspace, with forward slashes.
 */
export function annotationFile(
  file: string,
  workspace: string | undefined
): string {
  let relative = file
  if (workspace !== undefined && workspace !== '' && path.isAbsolute(file)) {
    const inside = path.relative(workspace, file)
    if (!inside.startsWith('..') && !path.isAbsolute(inside)) relative = inside
  }
  return relative.split(path.sep).join('/')
}

/** One annotation per problem (errors as ::error, warnings as ::warning), then all of them as text. */
export function annotateProblems(
  problems: readonly Problem[],
  workspace: string | undefined
): void {
  for (const problem of problems) {
    const properties: core.AnnotationProperties = {
      title: `phase-matrix: ${problem.code}`,
      file: annotationFile(problem.file, workspace),
      startLine: problem.line,
      startColumn: problem.column
    }
    if (problem.severity === 'error') core.error(problem.message, properties)
    else core.warning(problem.message, properties)
  }
  if (problems.length === 0) return
  core.info(formatProblems(problems).trimEnd())
  const errors = problems.filter(p => p.severity === 'error').length
  const warnings = problems.length - errors
  if (errors > MAX_SHOWN_ANNOTATIONS || warnings > MAX_SHOWN_ANNOTATIONS) {
    core.info(
      `GitHub shows the first ${MAX_SHOWN_ANNOTATIONS} annotations of each kind per step; ` +
        `all ${problems.length} problems are listed above and in the job summary.`
    )
  }
}

/**
 * The failure of a step that reads the plan (settle, exec): a plan error's
 * problems as annotations on their lines; the message the step fails with.
 */
export function annotatedFailure(
  error: unknown,
  workspace: string | undefined
): string {
  if (error instanceof PlanError) annotateProblems(error.problems, workspace)
  return errorMessage(error)
}

// The wiring every action entry shares: read the settings, build the real
// ports from them, run the step. run() reports its own failures; what fails
// before it (an invalid input) fails the step here.

export async function runAction<S, P>(
  readSettings: () => S,
  run: ActionRun<S, P>,
  portsOf: (settings: S) => P
): Promise<void> {
  try {
    const settings = readSettings()
    await run(settings, portsOf(settings))
  } catch (error) {
    core.setFailed(errorMessage(error))
  }
}
