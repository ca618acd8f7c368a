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
import { Scalar, Schema, type ScalarTag, type Tags } from 'yaml'

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
export function workflowTags(tags: Tags): Tags {
  return tags.map(tag => {
    if (typeof tag === 'string' || tag.tag !== STRING_TAG) return tag
    const write = tag.stringify
    if (typeof write !== 'function') return tag
    return { ...tag, stringify: styledStringify(tag, write) }
  })
}
