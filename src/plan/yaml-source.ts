// YAML text → one `yaml` Document, refusing what a plan file must not be.
// This is `yaml.parseDocument` assembled from its public parts (Parser,
// Composer, LineCounter) so that two guards fit inside it at no cost:
// - nesting: the parser keeps open collections on `parser.stack`; a stack
//   that refuses to grow past MAX_NESTING stops `[[[[…` or `- - - …` long
//   before the parser's ~900 bytes per level exhaust memory (an 8 MiB file
//   of `[` would need 7 GB) or the composer's recursion the call stack;
// - the YAML 1.2 core schema is pinned, so `%YAML 1.1` cannot bring back
//   1.1 booleans (`yes`, `on`), sexagesimals, merge keys (`<<`) or
//   `!!binary`/`!!set`/`!!omap`; tags outside the core schema are errors.
// Linear in the text. The line table the parser records while lexing is
// kept for positions.

import { Composer, LineCounter, Parser } from 'yaml'
import type { CST, Document, YAMLError } from 'yaml'

import { at } from './at.js'
import { LineIndex } from './yaml-nodes.js'
import { compareProblems } from './errors.js'
import type { Problem, Severity } from './types.js'

/** Deepest nesting of collections a plan or config may have. */
export const MAX_NESTING = 256

/** Composer options: YAML 1.2 core schema, whatever the file's directives. */
const COMPOSE_OPTIONS = {
  version: '1.2',
  schema: 'core',
  merge: false,
  resolveKnownTags: false,
  uniqueKeys: true,
  strict: true
} as const

/** yaml's error codes after which the tree still says what the file says. */
const SOUND_TREE_CODES: ReadonlySet<string> = new Set([
  'DUPLICATE_KEY',
  'TAG_RESOLVE_FAILED'
])

interface YamlSource {
  /**
   * The (first) document. Absent when the text is not YAML at all or its
   * tree cannot be trusted (syntax errors, nesting too deep).
   */
  document?: Document.Parsed
  index: LineIndex
  problems: Problem[]
}

class NestingTooDeep extends Error {
  constructor(readonly offset: number) {
    super(`nesting deeper than ${MAX_NESTING} levels`)
    this.name = 'NestingTooDeep'
  }
}

/** The parser's stack of open tokens, refusing to grow past MAX_NESTING. */
class NestingGuard extends Array<CST.Token> {
  override push(...tokens: CST.Token[]): number {
    // The stack holds the document, the open collections and the node
    // being read: its length is the nesting depth, give or take one.
    if (this.length + tokens.length > MAX_NESTING) {
      throw new NestingTooDeep(tokens[0]?.offset ?? 0)
    }
    for (const token of tokens) this[this.length] = token
    return this.length
  }
}

function problemAt(
  index: LineIndex,
  file: string,
  severity: Severity,
  message: string,
  offset: number
): Problem {
  const { line, column } = index.positionOf(offset)
  return { code: 'yaml', severity, message, file, line, column }
}

/** yaml's message, rewritten to say what is wrong and what is expected. */
function explainYamlError(error: YAMLError, text: string): string {
  const [start, end] = error.pos
  const written = text.slice(start, Math.min(end, start + 60))
  switch (error.code) {
    case 'DUPLICATE_KEY':
      return `duplicate key \`${keyAt(text, start)}\`: a key may appear only once in a mapping`
    case 'TAG_RESOLVE_FAILED':
      return `tag ${at(written.split(/\s/), 0)} is not allowed: a plan holds only strings, numbers, booleans, null, lists and mappings`
    case 'RESOURCE_EXHAUSTION':
      return `nesting too deep to read (${error.message}); a plan nests a few levels`
    default:
      return `invalid YAML: ${error.message}`
  }
}

/** The key written at `offset` (yaml's error range covers one character). */
function keyAt(text: string, offset: number): string {
  const rest = text.slice(offset, offset + 80)
  const key =
    /^(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^\n]*?)(?=\s*:(?:\s|$))/.exec(
      rest
    )
  return key?.[0] ?? at(rest.split(/[\s:]/), 0)
}

/** Where the `%YAML` directive is (it precedes the document). */
function directiveOffset(text: string): number {
  const at = text.indexOf('%YAML')
  return at === -1 ? 0 : at
}

/**
 * Parses `text` as exactly one YAML 1.2 document and reports, with
 * positions, everything that makes it unfit for a plan or config file.
 */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter()
  const problems: Problem[] = []

  const nul = text.indexOf('\0')
  if (nul !== -1) {
    const at = LineIndex.of(text)
    problems.push(
      problemAt(
        at,
        file,
        'error',
        'binary data (a NUL character): expected a UTF-8 text file (a UTF-16 file must be saved as UTF-8)',
        nul
      )
    )
    return { index: at, problems }
  }

  const parser = new Parser(lineCounter.addNewLine)
  parser.stack = new NestingGuard()
  const composer = new Composer(COMPOSE_OPTIONS)
  let document: Document.Parsed | undefined
  let secondDocumentAt = -1
  try {
    for (const parsed of composer.compose(
      parser.parse(text),
      true,
      text.length
    )) {
      if (document === undefined) {
        document = parsed
      } else {
        secondDocumentAt = parsed.range[0]
        break
      }
    }
  } catch (error) {
    const index = new LineIndex(lineCounter.lineStarts)
    if (error instanceof NestingTooDeep) {
      problems.push(
        problemAt(
          index,
          file,
          'error',
          `nesting deeper than ${MAX_NESTING} levels: a plan nests a few levels (phases → phase → deps); refusing to read further`,
          error.offset
        )
      )
      return { index, problems }
    }
    // The composer catches its own stack overflows; anything else of this
    // kind is still hostile input, not a bug to show as a stack trace.
    if (error instanceof RangeError) {
      problems.push(
        problemAt(
          index,
          file,
          'error',
          `the file cannot be read as YAML (${error.message})`,
          0
        )
      )
      return { index, problems }
    }
    throw error
  }
  // Filled by the parser while lexing: complete now.
  const index = new LineIndex(lineCounter.lineStarts)
  if (document === undefined) return { index, problems }

  let sound = true
  let exhausted = false
  for (const error of document.errors) {
    if (!SOUND_TREE_CODES.has(error.code)) sound = false
    // A stack overflow is reported once per level it unwinds: keep one.
    if (error.code === 'RESOURCE_EXHAUSTION') {
      if (exhausted) continue
      exhausted = true
    }
    problems.push(
      problemAt(
        index,
        file,
        'error',
        explainYamlError(error, text),
        error.pos[0]
      )
    )
  }
  if (secondDocumentAt !== -1) {
    problems.push(
      problemAt(
        index,
        file,
        'error',
        'a second YAML document starts here; a plan file holds exactly one document (remove the extra `---` or split the file)',
        secondDocumentAt
      )
    )
  }
  for (const warning of document.warnings) {
    // An unknown tag is refused, not ignored: its value would be a guess.
    const refused = warning.code === 'TAG_RESOLVE_FAILED'
    problems.push(
      problemAt(
        index,
        file,
        refused ? 'error' : 'warning',
        explainYamlError(warning, text),
        warning.pos[0]
      )
    )
  }
  const directives = document.directives
  if (directives.yaml.explicit && directives.yaml.version === '1.1') {
    problems.push(
      problemAt(
        index,
        file,
        'warning',
        '`%YAML 1.1` is read as YAML 1.2 (core schema): yes/no/on/off stay strings, `<<` is an ordinary key, 1:20 is a string',
        directiveOffset(text)
      )
    )
  }
  problems.sort(compareProblems)
  return sound ? { document, index, problems } : { index, problems }
}
