// Writes workflow YAML that every reader takes the same way (GitHub's own
// parser, actionlint, YAML 1.1 tools). The `yaml` serializer lays the
// document out; yaml-scalar-style.ts picks each string's style, and this
// module attaches comments by path. The result is parsed back under YAML 1.2
// and 1.1 and compared with the input before it is returned: a string that
// would not come back exactly is a bug here, never a silently different
// workflow.
// O(output size); building nodes and the check are recursive in the depth of
// the document (a workflow is a few levels deep), not in its length.
import {
  Document,
  isMap,
  isScalar,
  isSeq,
  parse,
  type Pair,
  type YAMLMap
} from 'yaml'
import {
  commentSafe,
  isVisibleText,
  workflowTags
} from './yaml-scalar-style.js'
import { isMapping, type YamlMapping } from './yaml-value.js'

/** A comment attached to the value found at `path` (keys and list indices). */
export interface YamlComment {
  path: readonly (string | number)[]
  /** Full-line comments written above the key (or list item). */
  before?: string[]
  /** A comment after a scalar value, on its line. */
  after?: string
  /** An empty line before the key (or list item). */
  spaceBefore?: boolean
}

function commentLines(lines: readonly string[]): string {
  return lines.map(line => ` ${commentSafe(line)}`).join('\n')
}

/** Pairs of each mapping by key, built once per mapping: O(1) path steps. */
type PairIndex = WeakMap<YAMLMap, Map<unknown, Pair>>

/** The key node and value node at `path` (a list item is both). */
function nodesAt(
  doc: Document,
  path: readonly (string | number)[],
  index: PairIndex
): { key?: unknown; value?: unknown } {
  let node: unknown = doc.contents
  let key: unknown = undefined
  for (const step of path) {
    if (isMap(node)) {
      let pairs = index.get(node)
      if (pairs === undefined) {
        pairs = new Map()
        for (const pair of node.items) {
          if (isScalar(pair.key)) pairs.set(pair.key.value, pair)
        }
        index.set(node, pairs)
      }
      const pair = pairs.get(step)
      key = pair?.key
      node = pair?.value
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step]
      key = node
    } else {
      return {}
    }
  }
  return { key, value: node }
}

function attachComment(
  doc: Document,
  comment: YamlComment,
  index: PairIndex
): void {
  const { key, value } = nodesAt(doc, comment.path, index)
  if (comment.before !== undefined && isScalarOrNode(key)) {
    key.commentBefore = commentLines(comment.before)
  }
  if (comment.spaceBefore === true && isScalarOrNode(key)) {
    key.spaceBefore = true
  }
  if (comment.after !== undefined && isScalar(value)) {
    value.comment = ` ${commentSafe(comment.after)}`
  }
}

function isScalarOrNode(
  value: unknown
): value is { commentBefore?: string; spaceBefore?: boolean } {
  return typeof value === 'object' && value !== null
}

/** Deep equality of parsed YAML and our input (plain data only). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a === 'number' && typeof b === 'number') {
    return Number.isNaN(a) && Number.isNaN(b)
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameValue(item, b[i]))
  }
  if (isMapping(a) && isMapping(b)) {
    const aKeys = Object.keys(a)
    const bKeys = Object.keys(b)
    return (
      aKeys.length === bKeys.length &&
      aKeys.every((key, i) => bKeys[i] === key && sameValue(a[key], b[key]))
    )
  }
  return false
}

/**
 * The workflow as YAML text: `header` lines as `# ` comments at the top,
 * then `value`, deterministic byte for byte for the same input. Throws when
 * a header line has unsafe characters, or (a bug) when the output would not
 * read back as `value` under YAML 1.2 and 1.1.
 */
export function toWorkflowYaml(
  value: YamlMapping,
  header: readonly string[] = [],
  comments: readonly YamlComment[] = []
): string {
  for (const line of header) {
    if (line.includes('\n') || !isVisibleText(line)) {
      throw new Error(
        `Header line ${JSON.stringify(line)} has a line break or a control character; expected one line of visible text`
      )
    }
  }
  // No anchors for values used twice (a template's setup steps in every
  // job): each job reads on its own, and actionlint refuses aliases.
  const doc = new Document(value, {
    version: '1.2',
    customTags: workflowTags,
    aliasDuplicateObjects: false
  })
  const index: PairIndex = new WeakMap()
  for (const comment of comments) attachComment(doc, comment, index)
  const body = doc.toString({
    lineWidth: 0,
    minContentWidth: 0,
    indentSeq: true,
    flowCollectionPadding: false,
    nullStr: ''
  })
  // No line ends in blanks (the serializer indents empty lines); no
  // string we write has a line that does, so only layout is removed.
  const text =
    header.map(line => (line === '' ? '#' : `# ${line}`)).join('\n') +
    (header.length > 0 ? '\n' : '') +
    body.replace(/[ \t]+$/gm, '')
  for (const version of ['1.2', '1.1'] as const) {
    const back: unknown = parse(text, { version, uniqueKeys: true })
    if (!sameValue(back, value)) {
      throw new Error(
        `internal error: the YAML written does not read back as the same data under YAML ${version}`
      )
    }
  }
  return text
}
