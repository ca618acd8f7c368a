// `phase-matrix hash`: each phase's input hash, from the tracked files its
// `inputs` take (git's content ids), the `global_inputs`, its definition
// and its dependencies' hashes (src/plan/input-hash.ts). JSON
// `{"<id>": "<hex>" | null}` (null: no inputs, so it always runs) or text
// lines `<hex or ->  <id>`. Git problems (not a repository, a merge in
// progress) are exit 2 with what to do.
import { GitIndexError, hashPlan, unmatchedWarnings } from '../repo/passed.js'
import type { InputHashes } from '../plan/input-hash.js'
import { formatProblems } from '../render/text.js'
import { renderProblemsJson } from '../render/json.js'
import { terminalSafe } from '../render/safe-text.js'
import {
  COMMON_FLAGS,
  flagsCommand,
  type FlagValues,
  ExitCode,
  type CliIo
} from './command.js'
import { loadPlanForCli } from './plan-command.js'

const HASH_COMMAND = {
  name: 'hash',
  where: 'the plan is --plan FILE',
  flags: {
    format: {
      kind: 'string',
      value: 'FORMAT',
      choices: ['text', 'json'],
      description: 'text (default: one `<hash>  <id>` line a phase) or json'
    },
    ...COMMON_FLAGS
  },
  about: `Usage: phase-matrix hash [--plan FILE] [--format json|text] [flags]

Each phase's input hash (sha256): the git content ids of the tracked files
its inputs: globs take, the plan's global_inputs, its own definition (id,
run, runs-on, timeout-minutes, inputs) and its dependencies' hashes, so a
change in a phase's files changes it and everything that depends on it.
A phase without inputs: (or with a dependency without a hash) has none
(null, '-'): it always runs. Read from git in the repository of the working
folder, as the working tree is: changed tracked files are hashed as they
are, untracked files are not inputs, a merge in progress is refused.
Use the hashes with 'plan --passed FILE' and 'simulate --passed FILE'.
`
} as const

type HashValues = FlagValues<typeof HASH_COMMAND.flags>

async function hashCommand(values: HashValues, io: CliIo): Promise<number> {
  const format = values.format ?? 'text'
  const loaded = loadPlanForCli(values, io)
  const { analysis } = loaded
  if (analysis === undefined) {
    if (format === 'json') io.stdout(renderProblemsJson(loaded.problems))
    else io.stderr(formatProblems(loaded.problems, { colour: io.colourErr }))
    return loaded.exitCode
  }
  const warnings = loaded.problems.filter(p => p.severity === 'warning')
  if (warnings.length > 0) {
    io.stderr(formatProblems(warnings, { colour: io.colourErr }))
  }
  let hashes: InputHashes
  try {
    hashes = await hashPlan(analysis, io.cwd)
  } catch (error) {
    if (!(error instanceof GitIndexError)) throw error
    io.stderr(`phase-matrix hash: ${terminalSafe(error.message)}\n`)
    return ExitCode.usage
  }
  for (const warning of unmatchedWarnings(hashes)) {
    io.stderr(`phase-matrix hash: warning: ${terminalSafe(warning)}\n`)
  }
  const { phases } = analysis.plan
  if (format === 'json') {
    const out = Object.fromEntries(
      phases.map((phase, index) => [phase.id, hashes.hashes[index] ?? null])
    )
    io.stdout(JSON.stringify(out, null, 2) + '\n')
  } else {
    const lines = phases.map((phase, index) => {
      const hash = hashes.hashes[index] ?? '-'.padEnd(64)
      return `${hash}  ${terminalSafe(phase.id)}`
    })
    io.stdout(lines.join('\n') + '\n')
  }
  return ExitCode.ok
}

export const runHashCommand = flagsCommand(HASH_COMMAND, hashCommand)
