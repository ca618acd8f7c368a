// Does a workflow that calls the reusable phases.yml grant what it needs?
// Every job of phases.yml asks for `contents: read` (it checks out the
// repository), and nothing more. GitHub checks a called workflow's
// permissions against what the calling job allows before anything runs:
// when the caller allows less, the whole run fails at start-up ("The nested
// job 'plan' is requesting 'contents: read', but is only allowed 'contents:
// none'."), with no job and no log. This finds such callers in a workflow
// file so the pull-request check can say so first.
//
// What a calling job allows: its own `permissions:`; without one, the
// workflow's; without either, the repository's default for GITHUB_TOKEN,
// and both defaults ("permissive" and "restricted") allow contents: read.
// Pure: YAML text in, problems out. O(text).
import {
  isMap,
  isScalar,
  LineCounter,
  parseDocument,
  type Node,
  type YAMLMap
} from 'yaml'
import type { Problem } from '../plan/types.js'
import { isMapping } from './yaml.js'

/** `uses:` of a job that calls phases.yml (another repository's, any ref, or this repository's). */
const CALLS_PHASES =
  /^(?:[^/\s]+\/[^/\s]+\/\.github\/workflows\/phases\.ya?ml@\S+|\.\/\.github\/workflows\/phases\.ya?ml)$/

const NEEDED_PERMISSION = 'contents: read'

type Grant = 'yes' | 'no' | 'unknown'

/** Does a `permissions:` value grant contents: read? */
function grantsContentsRead(value: unknown): Grant {
  if (value === 'read-all' || value === 'write-all') return 'yes'
  if (value === null || value === undefined) return 'no'
  if (typeof value === 'string') {
    // An expression or an unknown word: GitHub decides; we cannot.
    return value.includes('${{') ? 'unknown' : 'no'
  }
  if (isMapping(value)) {
    const contents = value['contents']
    if (contents === 'read' || contents === 'write') return 'yes'
    return 'no'
  }
  return 'no'
}

function pairOf(
  map: YAMLMap,
  key: string
): { key: Node; value: unknown } | undefined {
  for (const pair of map.items) {
    if (isScalar(pair.key) && pair.key.value === key) {
      return { key: pair.key, value: pair.value }
    }
  }
  return undefined
}

function plain(node: unknown): unknown {
  if (isScalar(node)) return node.value
  if (isMap(node)) {
    const out: Record<string, unknown> = {}
    for (const pair of node.items) {
      if (isScalar(pair.key)) out[String(pair.key.value)] = plain(pair.value)
    }
    return out
  }
  return node === null ? null : undefined
}

/**
 * A warning for each job of the workflow `text` (read from `file`) that
 * calls phases.yml without allowing `contents: read`, at the job's `uses:`.
 * A file that is not YAML, or has no jobs, gives none.
 */
export function callerPermissionProblems(
  text: string,
  file: string
): Problem[] {
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter, uniqueKeys: false })
  if (document.errors.length > 0 || !isMap(document.contents)) return []
  const root = document.contents
  const jobs = pairOf(root, 'jobs')?.value
  if (!isMap(jobs)) return []
  const workflowPermissions = pairOf(root, 'permissions')
  const problems: Problem[] = []
  for (const pair of jobs.items) {
    if (!isScalar(pair.key) || !isMap(pair.value)) continue
    const jobId = String(pair.key.value)
    const uses = pairOf(pair.value, 'uses')
    if (uses === undefined || !isScalar(uses.value)) continue
    const target = String(uses.value.value)
    if (!CALLS_PHASES.test(target)) continue
    const own = pairOf(pair.value, 'permissions')
    const where = own ?? workflowPermissions
    const at = lineCounter.linePos((uses.key.range ?? [0])[0])
    const problem = (message: string): Problem => ({
      code: 'permissions',
      severity: 'warning',
      message,
      file,
      line: at.line,
      column: at.col
    })
    // Without permissions anywhere, the repository's default allows it.
    if (where === undefined) continue
    if (grantsContentsRead(plain(where.value)) !== 'no') continue
    const level = own === undefined ? 'the workflow' : `job \`${jobId}\``
    problems.push(
      problem(
        `Job \`${jobId}\` calls ${target}, whose jobs check out the repository and need \`${NEEDED_PERMISSION}\`, but the ` +
          `permissions of ${level} do not allow it: GitHub refuses the whole run at start-up, before any job or log ` +
          `("The nested job 'plan' is requesting 'contents: read', but is only allowed 'contents: none'."). ` +
          `Add \`${NEEDED_PERMISSION}\` to the \`permissions:\` of job \`${jobId}\`.`
      )
    )
  }
  return problems
}
