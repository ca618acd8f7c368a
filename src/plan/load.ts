// Plan text → Plan and every problem in it, with positions. Pure.
// One pass: yaml parses (with the guards in yaml-source.ts), the reader
// walks the tree once in document order into plain values, zod judges each
// phase, and failures become messages that point at the offending node.
// O(text) plus O(phases · log lines) for positions.
//
// A plan comes back whenever the file holds a list of phases, even with
// errors, so the graph can be analysed in the same run (all problems at
// once). Broken values are left out of it (an id written as a bare number
// is kept as written, `1.10`, so its dependents still resolve); phases
// without a usable id are dropped.

import { isMap, isScalar, isSeq } from 'yaml'
import type { Pair } from 'yaml'

import { checkMapping } from './field-check.js'
import type { Naming } from './field-check.js'
import { MappingReader } from './yaml-reader.js'
import { readPhase } from './phase-reader.js'
import { compareProblems } from './errors.js'
import { PLAN_ROOT } from './schema.js'
import { suggestKey } from './closest-id.js'
import type { LoadResult, Phase, Plan } from './types.js'
import { describeNode, nodeOf, shorten, startOf } from './yaml-nodes.js'
import { parseYamlSource } from './yaml-source.js'

export { isDoneStatus } from './phase-reader.js'

/** feature-prd-runner's message for a plan without phases. */
export const NO_PHASES_MESSAGE = 'No phases found in phase plan'

/** Parses a phase plan. Never throws on bad input: problems say what is wrong. */
export function parsePlan(text: string, file: string): LoadResult {
  const source = parseYamlSource(text, file)
  const problems = source.problems
  if (source.document === undefined) return { problems }
  const reader = new MappingReader(file, source.index, problems, text.length)
  const root = source.document.contents
  const read = reader.guarded(() => readRoot(reader, root))
  problems.sort(compareProblems)
  const phases = read?.phases
  if (phases === undefined || phases.length === 0) return { problems }
  const plan: Plan = { file, phases }
  if (read?.globalInputs !== undefined) plan.globalInputs = read.globalInputs
  return { plan, problems }
}

/** What the top-level mapping holds. */
interface Root {
  phases: Phase[] | undefined
  globalInputs: string[] | undefined
}

/**
 * The top-level mapping: `phases:` is read phase by phase, `global_inputs:`
 * per the PLAN_ROOT table, other keys are skimmed (a key close to one of
 * ours is a warning: a misspelt `global_inputs` would hash too little).
 */
function readRoot(reader: MappingReader, root: unknown): Root | undefined {
  const node = nodeOf(root)
  if (node === null) {
    reader.report('empty-plan', 'error', NO_PHASES_MESSAGE, 0)
    return undefined
  }
  if (!isMap(node)) {
    reader.report(
      'schema',
      'error',
      `a phase plan must be a mapping with a \`phases:\` list, got ${describeNode(node)}` +
        (isSeq(node) ? '; put the list under `phases:`' : ''),
      startOf(node)
    )
    reader.skim(node)
    return undefined
  }
  // Set by the reader of `phases:` (the first one; yaml reports a repeat).
  const seen: { found: boolean; phases?: Phase[] } = { found: false }
  const at = { node, offset: startOf(node), aliased: false }
  const read = reader.readMapping(node, at, PLAN_ROOT, (key, pair) => {
    if (key !== 'phases') return false
    if (seen.found) reader.skim(pair.value)
    else {
      const phases = readPhases(reader, pair)
      if (phases !== undefined) seen.phases = phases
    }
    seen.found = true
    return true
  })
  let lookalike: string | undefined
  for (const { key, offset } of read.unknown) {
    const suggestion = suggestKey(key, PLAN_ROOT.known, PLAN_ROOT.synonyms)
    if (suggestion === 'phases') lookalike ??= key
    if (suggestion === 'global_inputs') {
      reader.report(
        'unknown-key',
        'warning',
        `unknown key \`${shorten(key)}\` at the top of the plan is ignored: did you mean \`global_inputs\`?`,
        offset
      )
    }
  }
  const naming: Naming = { ref: 'the plan', prefix: '', where: () => '' }
  const checked = checkMapping(reader, PLAN_ROOT, read, naming)
  if (!seen.found) {
    reader.report(
      'empty-plan',
      'error',
      lookalike === undefined
        ? NO_PHASES_MESSAGE
        : `${NO_PHASES_MESSAGE}: there is no \`phases:\` key (did you mean \`phases\` instead of \`${lookalike}\`?)`,
      startOf(node)
    )
  }
  const globalInputs = checked?.global_inputs
  return {
    phases: seen.phases,
    globalInputs:
      globalInputs === undefined || globalInputs.length === 0
        ? undefined
        : globalInputs
  }
}

/** The `phases:` list. */
function readPhases(reader: MappingReader, pair: Pair): Phase[] | undefined {
  const list = reader.reach(pair.value, undefined)
  if (list === undefined) return undefined
  const node = list.node
  if (
    node === null ||
    (isScalar(node) && node.value === null) ||
    (isSeq(node) && node.items.length === 0)
  ) {
    reader.report('empty-plan', 'error', NO_PHASES_MESSAGE, startOf(pair))
    reader.done(list)
    return undefined
  }
  if (!isSeq(node)) {
    const expected = PLAN_ROOT.info('phases')?.expected ?? ''
    reader.report(
      'schema',
      'error',
      `\`phases\` must be ${expected}, got ${describeNode(node)}`,
      list.offset
    )
    reader.pass(list)
    return undefined
  }
  const phases: Phase[] = []
  const items = node.items
  for (let i = 0; i < items.length; i++) {
    const phase = readPhase(reader, items[i], list, i + 1, phases.length)
    if (phase !== undefined) phases.push(phase)
  }
  reader.done(list)
  return phases
}
