// `phase-matrix generate`: the needs-graph workflow (one job per phase,
// `needs:` = deps, a gate job; or packed jobs run by exec, --max-jobs N)
// for a valid plan, on stdout or in --out.
import { normalizePath, realPath, resolveFrom } from '../repo/files.js'
import { errorCode } from '../plan/errors.js'
import { generateWorkflow } from '../repo/workflow-files.js'
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { DEFAULT_PLAN_PATH } from '../actions/constants.js'
import { UsageError } from '../plan/errors.js'
import { MAX_PACKED_JOBS } from '../plan/job-partition.js'
import type { GenerateInvocation } from '../render/generate-command-line.js'
import { checkCachePassedPlan } from '../render/needs-limits.js'
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

const GENERATE_COMMAND = {
  name: 'generate',
  where: 'the plan is --plan FILE',
  flags: {
    ...COMMON_FLAGS,
    out: fileFlag(
      'write the workflow to FILE (folders are created) instead of stdout'
    ),
    template: fileFlag(
      'a workflow whose name, on, permissions, env, defaults, concurrency and jobs.phase (runner, setup steps…) are used'
    ),
    'max-jobs': {
      kind: 'integer',
      value: 'N',
      min: 1,
      max: MAX_PACKED_JOBS,
      description: `pack the phases into at most N jobs, each running its phases with exec, 1 to ${MAX_PACKED_JOBS}`
    },
    'cache-passed': {
      kind: 'boolean',
      description:
        'skip the jobs of phases unchanged since they passed (a store kept with actions/cache)'
    }
  },
  about: `Usage: phase-matrix generate [--out FILE] [--template FILE] [--max-jobs N] [--cache-passed] [flags]

Write a GitHub workflow with one job per phase, each job's needs being the
phase's dependencies, and a final job "phase-matrix gate" that fails unless
every phase succeeded (make it the required check). Plan text is never run
as an expression. Commit the file and keep it current with
'phase-matrix check --workflow FILE'.

With --max-workers N, at most N phase jobs run at once: the phases are
planned onto N worker lanes (longest remaining path first, from
estimate_minutes) and each job also needs the previous job of its lane,
with an if: that asks only that its own dependencies succeeded. The
config's max_workers alone does not add lanes.

With --max-jobs N, the phases are packed into at most N jobs (phases with
different runs-on never share one): chains first (a phase whose single
dependency has no other dependent joins its job), then, if still more
than N, chains packed together by estimate_minutes, as little slower as
N allows. Each job runs its phases with the exec action from the plan in
the workspace, in dependency order, and needs the jobs holding its
phases' dependencies. Beyond chains a failure can also skip phases that
do not depend on it (they share a job, or a later job, with a dependent);
the header says which. Without --max-jobs, a plan whose workflow with one
job per phase would be over GitHub's 500 KB is packed into as many jobs as
fit, with a note on stderr (with --max-workers it is an error instead).

With --cache-passed, a first job "phase-matrix plan" restores the store
of passed phases (actions/cache) and runs the plan action with it: a
phase whose input hash (inputs:, global_inputs, its definition, its
dependencies' hashes) is the stored one is unchanged, and its job is
skipped. A job runs when each job it needs succeeded or was skipped as
unchanged; the gate counts unchanged as passed and any other skip as a
failure. A last job "phase-matrix save" stores what passed in this run
with what was unchanged (settle, actions/cache). Packed jobs are skipped
when all their phases are unchanged; exec skips the unchanged ones of the
others. The plan must be a file in the repository.
`,
  exitCodes:
    'Exit codes: 0 ok, 1 invalid plan (or a workflow GitHub would refuse),\n2 usage error or unreadable file.'
} as const

/** The flag values `generate` is given. */
type GenerateValues = FlagValues<typeof GENERATE_COMMAND.flags>

/** What `generate` records in the header for these flags. */
function invocationOf(values: GenerateValues): GenerateInvocation {
  const invocation: GenerateInvocation = {
    plan: normalizePath(values.plan ?? DEFAULT_PLAN_PATH)
  }
  if (values.config !== undefined)
    invocation.config = normalizePath(values.config)
  if (values.template !== undefined) {
    invocation.template = normalizePath(values.template)
  }
  if (values['max-workers'] !== undefined) {
    invocation.maxWorkers = values['max-workers']
  }
  if (values['max-jobs'] !== undefined) {
    invocation.maxJobs = values['max-jobs']
  }
  if (values['fail-fast'] === true) invocation.failFast = true
  if (values['cache-passed'] === true) invocation.cachePassed = true
  if (values.out !== undefined) invocation.out = normalizePath(values.out)
  return invocation
}

/** The same file once links are followed (false when unresolvable). */
function sameFile(a: string, b: string): boolean {
  try {
    return realPath(a) === realPath(b)
  } catch {
    return false
  }
}

/**
 * Refuses an --out that cannot or must not be written, before anything is
 * read: a folder, or one of the files generate reads (the plan, the config,
 * the template), which it would overwrite.
 */
function checkOut(values: GenerateValues, io: CliIo): void {
  const out = values.out
  if (out === undefined) return
  const file = resolveFrom(io.cwd, out)
  let folder = out.endsWith('/') || out.endsWith(path.sep)
  try {
    folder ||= statSync(file).isDirectory()
  } catch {
    // Absent (it is created) or unreadable (the write says why).
  }
  if (folder) {
    throw new UsageError(
      `--out '${out}' is a folder; expected a file, e.g. --out ${path.posix.join(out.replace(/\/+$/, ''), 'phases.yml')}`
    )
  }
  const inputs: [string, string | undefined][] = [
    ['plan', values.plan ?? DEFAULT_PLAN_PATH],
    ['config', values.config],
    ['template', values.template]
  ]
  for (const [what, input] of inputs) {
    if (input !== undefined && input !== '-') {
      if (sameFile(file, resolveFrom(io.cwd, input))) {
        throw new UsageError(
          `--out '${out}' is the ${what} file '${input}': generate would overwrite it; write the workflow elsewhere, e.g. --out .github/workflows/phases.yml`
        )
      }
    }
  }
}

/**
 * Writes through a temporary file so a reader never sees half a workflow;
 * on any failure the temporary file is removed and the reason is a
 * UsageError.
 */
function writeFileAtomically(file: string, shown: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`
  try {
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(temporary, text)
    renameSync(temporary, file)
  } catch (error) {
    rmSync(temporary, { force: true })
    const code = errorCode(error)
    const reason =
      code === 'EISDIR'
        ? 'it is a folder'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'permission denied'
          : code === 'ENOTDIR' || code === 'EEXIST'
            ? 'a part of its path is a file, not a folder'
            : undefined
    if (reason === undefined) throw error
    throw new UsageError(`cannot write --out '${shown}': ${reason}`)
  }
}

function generate(values: GenerateValues, io: CliIo): number {
  if (values['max-jobs'] !== undefined && (values['max-workers'] ?? 0) > 0) {
    throw new UsageError(
      `--max-jobs ${values['max-jobs']} cannot be combined with --max-workers ${values['max-workers'] ?? 0}: worker lanes are laid over one job per phase. Give one of them.`
    )
  }
  checkOut(values, io)
  // Before the plan is read (standard input would be waited on).
  checkCachePassedPlan(invocationOf(values))
  const loaded = loadPlanForCli(values, io)
  if (loaded.problems.length > 0) {
    io.stderr(formatProblems(loaded.problems, { colour: io.colourErr }))
  }
  if (loaded.analysis === undefined) return loaded.exitCode
  const invocation = invocationOf(values)
  const workflow = generateWorkflow(
    loaded.analysis,
    loaded.settings,
    invocation,
    io.cwd
  )
  if (workflow.problems.length > 0) {
    io.stderr(formatProblems(workflow.problems, { colour: io.colourErr }))
    return ExitCode.invalidPlan
  }
  for (const note of workflow.notes) {
    io.stderr(`phase-matrix generate: note: ${note}\n`)
  }
  if (values.out === undefined) {
    io.stdout(workflow.text)
    return ExitCode.ok
  }
  writeFileAtomically(
    resolveFrom(io.cwd, values.out),
    values.out,
    workflow.text
  )
  const phases = workflow.jobIds.filter(id => id !== undefined).length
  const jobs =
    workflow.packed === undefined
      ? `${phases} phase job(s)`
      : `${phases} phase(s) in ${workflow.packed.jobs} packed job(s)`
  const ours =
    invocation.cachePassed === true && phases > 0
      ? 'the plan job, the gate and the save job'
      : 'the gate'
  io.stdout(
    `Wrote ${values.out}: ${jobs} and ${ours}, ${workflow.bytes} bytes.\n`
  )
  return ExitCode.ok
}

export const runGenerateCommand = flagsCommand(GENERATE_COMMAND, generate)
