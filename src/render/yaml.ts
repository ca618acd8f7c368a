// Workflow YAML out: the writer (document, comments, the read-back check),
// how each string is quoted, and the values a workflow is made of.
import {
  Document,
  isMap,
  isScalar,
  isSeq,
  parse,
  type Pair,
  type YAMLMap,
  Scalar,
  Schema,
  type ScalarTag,
  type Tags
} from 'yaml'

// Writes workflow YAML that every reader takes the same way (GitHub's own
// parser, actionlint, YAML 1.1 tools). The `yaml` serializer lays the
// document out; the scalar style below picks each string's style, and this
// module attaches comments by path. The result is parsed back under YAML 1.2
// and 1.1 and compared with the input before it is returned: a string that
// would not come back exactly is a bug here, never a silently different
// workflow.
// O(output size); building nodes and the check are recursive in the depth of
// the document (a workflow is a few levels deep), not in its length.

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

// How the workflow writer puts down one string, so that every reader takes
// it back as the same string: GitHub's own parser, actionlint, and YAML 1.1
// tools (`no`, `on`, `yes`, `12:30`, `0o7`, `1e3`, `e0`, `~` stay strings
// everywhere). Each string gets one of four styles:
//   plain          a conservative word set that no schema reads as anything
//                  but a string (letters first, no 1.1 boolean or null word,
//                  nothing the `yaml` library's core or 1.1 schema resolves
//                  to another type, such as the exponent-only float `e0`);
//   'single'       one line of visible characters ("double" when it holds
//                  a ' and nothing double quotes must escape);
//   | literal      several lines of visible characters (values without
//                  `${{` or blanks at a line's end only);
//   "double"       anything else, with every control, line-break, invisible
//                  or bidirectional character written as an escape, so no
//                  text can end its scalar early or look like other text.
// Lines are never folded, so a string stays on the line(s) it was given.
// O(length of the string).

/** Characters that may never appear raw in our output. */
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\x00-\x08\x0b-\x1f\x7f-\xa0\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff0-\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const UNSAFE_GLOBAL = new RegExp(UNSAFE.source, 'g')

/** Words some YAML reader takes for a boolean or null when plain. */
const SPECIAL_WORD = /^(?:y|n|yes|no|on|off|true|false|null)$/i
/** Plain scalars we write: words of safe characters, single spaces between. */
const PLAIN =
  /^[A-Za-z_][A-Za-z0-9_./@+()|&!=,-]*(?: [A-Za-z0-9_./@+()|&!=,-]+)*$/

const STRING_TAG = 'tag:yaml.org,2002:str'

/** The plain-scalar tests of the `yaml` core and 1.1 schemas; built on first use. */
let otherTypeTests: readonly RegExp[] | undefined

/**
 * True when the `yaml` library's core (1.2) or YAML 1.1 schema reads `text`,
 * written plain, as something other than a string (`e0` is a 1.1 float).
 */
function readsAsOtherType(text: string): boolean {
  otherTypeTests ??= (['core', 'yaml-1.1'] as const).flatMap(schema =>
    new Schema({ schema }).tags.flatMap(tag =>
      tag.default === true && tag.tag !== STRING_TAG && tag.test !== undefined
        ? [tag.test]
        : []
    )
  )
  return otherTypeTests.some(test => test.test(text))
}

/** True when `text` may be written as a plain scalar. */
function isPlainSafe(text: string): boolean {
  return PLAIN.test(text) && !SPECIAL_WORD.test(text) && !readsAsOtherType(text)
}

/** True when `text` holds no character this module refuses to write raw. */
export function isVisibleText(text: string): boolean {
  return !UNSAFE.test(text)
}

/**
 * Text safe for one comment line: every unsafe character (line breaks
 * included) written as `\u{…}`, so nothing after `#` can become YAML.
 */
export function commentSafe(text: string): string {
  return text
    .replaceAll('\n', ' ')
    .replace(
      UNSAFE_GLOBAL,
      ch => `\\u{${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase()}}`
    )
}

function hex(code: number, digits: number): string {
  return code.toString(16).toUpperCase().padStart(digits, '0')
}

/** A double-quoted scalar on one line, escaping all but visible text. */
function doubleQuoted(text: string): string {
  let out = '"'
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i)
    const code = text.charCodeAt(i)
    if (ch === '\\') out += '\\\\'
    else if (ch === '"') out += '\\"'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\r') out += '\\r'
    else if (code < 0x20 || (code >= 0x7f && code <= 0xa0)) {
      out += `\\x${hex(code, 2)}`
    } else if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += ch + text.charAt(i + 1)
        i++
      } else {
        out += `\\u${hex(code, 4)}`
      }
    } else if (UNSAFE.test(ch)) out += `\\u${hex(code, 4)}`
    else out += ch
  }
  return out + '"'
}

type Style = 'plain' | 'single' | 'literal' | 'double'

function styleOf(text: string, isKey: boolean): Style {
  if (isPlainSafe(text)) return 'plain'
  if (UNSAFE.test(text)) return 'double'
  if (!text.includes('\n')) {
    // 'it''s' reads worse than "it's": double quotes when nothing needs escaping.
    const plainInDouble = !text.includes('"') && !text.includes('\\')
    return text.includes("'") && plainInDouble ? 'double' : 'single'
  }
  // A literal block keeps text exactly when its lines are visible text.
  // Not for keys, nor for text with an expression: GitHub's TypeScript
  // parser reads expressions in a block from its raw source (indentation
  // and all), so every GitHub reader agrees only on a one-line scalar.
  // Nor with a space or tab at a line's end: editors strip those, and the
  // file would no longer be what `generate` writes.
  if (isKey || text.includes('${{') || /[ \t]\n|[ \t]$/.test(text)) {
    return 'double'
  }
  return 'literal'
}

type StringifyFn = NonNullable<ScalarTag['stringify']>

/** The string tag's writer, with our choice of style in front of it. */
function styledStringify(tag: ScalarTag, write: StringifyFn): StringifyFn {
  return (item, ctx, onComment, onChompKeep) => {
    const text = String(item.value)
    switch (styleOf(text, ctx.implicitKey === true)) {
      case 'plain':
        return text
      case 'single':
        return `'${text.replaceAll("'", "''")}'`
      case 'literal':
        item.type = Scalar.BLOCK_LITERAL
        return write.call(tag, item, ctx, onComment, onChompKeep)
      case 'double':
        return doubleQuoted(text)
    }
  }
}

/** The core schema with our string writer in place of the default one. */
function workflowTags(tags: Tags): Tags {
  return tags.map(tag => {
    if (typeof tag === 'string' || tag.tag !== STRING_TAG) return tag
    const write = tag.stringify
    if (typeof write !== 'function') return tag
    return { ...tag, stringify: styledStringify(tag, write) }
  })
}

// The data a generated workflow is made of, and the guards that tell it
// apart in values read from YAML. O(size of the value) for isYamlValue.

/** A value a workflow file can hold. */
export type YamlValue =
  string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue }

/** A mapping at the top of a workflow file. */
export type YamlMapping = Record<string, YamlValue>

/** A mapping (not a list, not null) read from YAML or JSON. */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * True when `value` is plain workflow data all the way down (what `yaml`'s
 * toJS gives for a core-schema document). Iterative: a deep value cannot
 * overflow the stack.
 */
export function isYamlValue(value: unknown): value is YamlValue {
  const pending: unknown[] = [value]
  while (pending.length > 0) {
    const item = pending.pop()
    if (item === null) continue
    const type = typeof item
    if (type === 'string' || type === 'number' || type === 'boolean') continue
    if (Array.isArray(item)) {
      for (const entry of item) pending.push(entry)
    } else if (isMapping(item) && isPlainObject(item)) {
      for (const entry of Object.values(item)) pending.push(entry)
    } else return false
  }
  return true
}

/** An object literal's kind (not a Date, Map or class instance). */
function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}
