// `phase-matrix check`: validate the plan; with --workflow, also verify the
// committed needs workflow is byte for byte what `generate` writes, with
// the settings its header records (template, config, flags) unless given
// here. A stale file prints a unified diff and the command that fixes it.
import {
  checkDrift,
  readWorkflowToCheck,
  type GivenInvocation
} from '../repo/workflow-files.js'
import { envLimitWarnings } from '../plan/env-limits.js'
import { formatProblems } from '../render/text.js'
import {
  COMMON_FLAGS,
  fileFlag,
  flagsCommand,
  type FlagValues,
  ExitCode,
  type CliIo
} from './command.js'
import { loadPlanForCli } from './plan-command.js'

const CHECK_COMMAND = {
  name: 'check',
  where: 'the workflow is --workflow FILE',
  flags: {
    ...COMMON_FLAGS,
    workflow: fileFlag(
      'a workflow written by generate: fail when it is out of date'
    ),
    template: fileFlag(
      "template to regenerate with (default: the one in FILE's header)"
    )
  },
  about: `Usage: phase-matrix check [--workflow FILE] [--template FILE] [flags]

Validate the plan: every problem with its line and column. With --workflow,
also check that FILE is exactly what 'phase-matrix generate' writes; the
plan, config, template, --max-workers and --fail-fast recorded in FILE's
header are used unless given here (a path in the header must stay inside
this folder once links are resolved). When it is not, print a unified diff
(patch -p0 applies it) and the command that rewrites FILE.
`,
  exitCodes:
    'Exit codes: 0 ok, 1 invalid plan or out-of-date workflow, 2 usage error or\nunreadable file.'
} as const

type CheckValues = FlagValues<typeof CHECK_COMMAND.flags>

/** What was given here; the header fills in the rest (readWorkflowToCheck). */
function givenOf(values: CheckValues): GivenInvocation {
  const given: GivenInvocation = {}
  if (values.plan !== undefined) given.plan = values.plan
  if (values.config !== undefined) given.config = values.config
  if (values.template !== undefined) given.template = values.template
  if (values['max-workers'] !== undefined)
    given.maxWorkers = values['max-workers']
  if (values['fail-fast'] === true) given.failFast = true
  return given
}

function check(parsedValues: CheckValues, io: CliIo): number {
  const workflowFile = parsedValues.workflow
  const workflow =
    workflowFile === undefined
      ? undefined
      : readWorkflowToCheck(workflowFile, givenOf(parsedValues), io.cwd)
  const values: CheckValues =
    workflow === undefined
      ? parsedValues
      : {
          plan: workflow.invocation.plan,
          config: workflow.invocation.config,
          'max-workers': workflow.invocation.maxWorkers,
          'fail-fast': workflow.invocation.failFast
        }
  const loaded = loadPlanForCli(values, io)
  const problems =
    loaded.analysis === undefined
      ? loaded.problems
      : [...loaded.problems, ...envLimitWarnings(loaded.analysis.plan)]
  if (problems.length > 0) {
    io.stderr(formatProblems(problems, { colour: io.colourErr }))
  }
  const { analysis } = loaded
  if (analysis === undefined) return loaded.exitCode
  const phases = analysis.plan.phases.length
  const summary = `${analysis.plan.file} is valid: ${phases} phase(s) in ${analysis.waves.length} wave(s).\n`
  if (workflowFile === undefined || workflow === undefined) {
    io.stdout(summary)
    return ExitCode.ok
  }

  const result = checkDrift(workflow, analysis, loaded.settings, io.cwd)
  if ('problems' in result) {
    io.stderr(formatProblems(result.problems, { colour: io.colourErr }))
    return ExitCode.invalidPlan
  }
  const { drift } = result
  if (drift.current) {
    io.stdout(summary)
    io.stdout(`${workflowFile} is up to date.\n`)
    return ExitCode.ok
  }
  io.stdout(drift.diff)
  io.stderr(
    `phase-matrix check: ${workflowFile} is out of date: it is not what 'phase-matrix generate' writes for ${analysis.plan.file} (the diff above turns it into that). Fix it with:\n  ${drift.fixCommand}\n`
  )
  return ExitCode.invalidPlan
}

export const runCheckCommand = flagsCommand(CHECK_COMMAND, check)
