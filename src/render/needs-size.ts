// Whether a needs workflow fits what GitHub accepts: a file of at most
// 500 KB (a lower bound from the plan alone refuses a huge plan before any
// YAML is written) and expressions of at most 21,000 characters.
// O(phases + deps).
import { needsThroughDone } from '../plan/skips.js'
import type { PlanAnalysis, Problem } from '../plan/types.js'
import {
  escapeExpressions,
  formatExpressionLength,
  MAX_EXPRESSION_LENGTH
} from './expression-escape.js'
import { CHECKOUT_ACTION, NO_COMMAND } from './needs-phase-job.js'
import type { NeedsWorkflowOptions } from './needs-workflow.js'

/** GitHub starts no workflow file larger than this (500 KB). */
export const MAX_WORKFLOW_BYTES = 500_000

/** UTF-8 length without allocating a buffer. O(length). */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4
        i++
      } else bytes += 3
    } else bytes += 3
  }
  return bytes
}

/** Escaped commands GitHub would refuse as too long an expression. */
export function expressionProblems(analysis: PlanAnalysis): Problem[] {
  const problems: Problem[] = []
  for (const phase of analysis.plan.phases) {
    if (phase.run === undefined || phase.done) continue
    const length = formatExpressionLength(escapeExpressions(phase.run))
    if (length > MAX_EXPRESSION_LENGTH) {
      problems.push({
        code: 'too-large',
        severity: 'error',
        message: `The run command of phase \`${phase.id}\` has \`\${{\` in it and is ${phase.run.length} characters long. Its \`\${{\` must be escaped, which makes the whole command one GitHub expression, and GitHub refuses expressions over ${MAX_EXPRESSION_LENGTH} characters. Move the command into a script file and run that.`,
        file: analysis.plan.file,
        line: phase.position.line,
        column: phase.position.column
      })
    }
  }
  return problems
}

/**
 * Text every phase job holds whatever the plan and the template (the
 * checkout step is always there, the yaml writer only adds indentation and
 * quoting): keys, fixed values and line ends, not counting indentation.
 */
const JOB_FLOOR_BYTES = [
  'x:\n', // the job id: at least one character
  'name: \n',
  'runs-on: x\n',
  'steps:\n',
  '- name: Check out the repository\n',
  `uses: ${CHECKOUT_ACTION}\n`,
  'with:\n',
  'persist-credentials: false\n',
  '- name: Run phase\n',
  'run: \n'
].reduce((sum, text) => sum + text.length, 0)
/** One entry of a `needs:` list: `- x` and its line end. */
const NEED_FLOOR_BYTES = '- x\n'.length

/**
 * A lower bound on the size of the workflow renderNeedsWorkflow writes, in
 * UTF-8 bytes, computed from the plan alone: per phase job its fixed text,
 * its id (the job's `name:`), its command (escaping and quoting only add to
 * it; UTF-8 never has fewer bytes than UTF-16 units) and one line per need;
 * the gate's line per job. Lets generate refuse a plan that cannot fit
 * before rendering it. O(phases + deps).
 */
export function workflowSizeLowerBound(analysis: PlanAnalysis): number {
  const waitsFor = needsThroughDone(analysis)
  let bytes = 0
  for (const phase of analysis.plan.phases) {
    if (phase.done) continue
    const command =
      phase.run === undefined || phase.run.trim() === ''
        ? NO_COMMAND
        : phase.run
    bytes +=
      JOB_FLOOR_BYTES +
      phase.id.length +
      command.length +
      NEED_FLOOR_BYTES * (1 + (waitsFor[phase.index]?.length ?? 0))
  }
  return bytes
}

export function tooLargeProblem(
  analysis: PlanAnalysis,
  options: NeedsWorkflowOptions,
  size: string,
  packed?: { jobs: number }
): Problem {
  const instead =
    packed !== undefined
      ? `Its ${packed.jobs} packed jobs are still too many: give a smaller --max-jobs, or run`
      : options.invocation.maxWorkers !== undefined &&
          options.invocation.maxWorkers > 0
        ? 'Worker lanes are not packed: generate without --max-workers (phases are then packed into jobs run by exec; --max-jobs N sets how many), or run'
        : 'Run'
  return {
    code: 'too-large',
    severity: 'error',
    message: `The generated workflow would be ${size} bytes; GitHub starts no workflow file over ${MAX_WORKFLOW_BYTES} bytes (500 KB). ${instead} a plan this size in waves: the reusable workflow .github/workflows/phases.yml (or the plan and settle actions) instead of a generated needs graph.`,
    file: options.invocation.out ?? analysis.plan.file,
    line: 1,
    column: 1
  }
}
