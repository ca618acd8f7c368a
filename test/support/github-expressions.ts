// How GitHub reads a generated workflow: parse it with GitHub's own parser
// (@actions/workflow-parser) and evaluate the expressions it finds with
// GitHub's evaluator (@actions/expressions), for tests that must show plan
// text comes out of a workflow exactly as written — never evaluated.
import { data, Evaluator, Lexer, Parser } from '@actions/expressions'
import type { FunctionDefinition } from '@actions/expressions/funcs/info'
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow
} from '@actions/workflow-parser'
import { ErrorPolicy } from '@actions/workflow-parser/model/convert'

/** The contexts a phase job could read; a leak would show these values. */
export const TRAP_CONTEXT = {
  secrets: { X: 'LEAKED-SECRET', GITHUB_TOKEN: 'LEAKED-TOKEN' },
  github: {
    token: 'LEAKED-TOKEN',
    event: { pull_request: { title: 'LEAKED-TITLE' } }
  },
  env: { HOME: 'LEAKED-ENV' },
  vars: { X: 'LEAKED-VAR' },
  inputs: {},
  needs: {},
  strategy: {},
  matrix: {},
  steps: {},
  job: {},
  runner: {}
}

/** A value of the parsed template: a literal string or an expression token. */
interface Token {
  expr?: unknown
  value?: unknown
}

/** GitHub's format(): `{{` → `{`, `}}` → `}`, `{n}` → argument n. */
function format(pattern: string, args: string[]): string {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i)
    const next = pattern.charAt(i + 1)
    if ((ch === '{' && next === '{') || (ch === '}' && next === '}')) {
      out += ch
      i++
    } else if (ch === '{') {
      const close = pattern.indexOf('}', i)
      const index = Number(pattern.slice(i + 1, close))
      const arg = args[index]
      if (close === -1 || arg === undefined)
        throw new Error(`bad format ${pattern}`)
      out += arg
      i = close
    } else if (ch === '}') {
      throw new Error(`lone } in format ${pattern}`)
    } else {
      out += ch
    }
  }
  return out
}

/**
 * The text GitHub makes of a string value at run time. First GitHub's own
 * expression parser reads the expression with no context and no function
 * but its built-ins allowed: one that reads `secrets`, `github`, `env`, …
 * throws here. What remains can only be `'${{'` or `format('…', '${{', …)`,
 * whose value is computed per GitHub's documented format() (the
 * @actions/expressions lexer un-doubles only the first `''` of a string).
 */
export function workflowStringValue(token: unknown): string {
  const t = token as Token
  if (typeof t.expr !== 'string') return String(t.value)
  new Parser(new Lexer(t.expr).lex().tokens, [], []).parse()
  const match = /^format\('((?:[^']|'')*)'((?:, '\$\{\{')*)\)$/.exec(t.expr)
  if (match === null)
    throw new Error(`an expression that is not an escape: ${t.expr}`)
  const pattern = (match[1] ?? '').replaceAll("''", "'")
  const args = (match[2] ?? '')
    .split(", '${{'")
    .slice(1)
    .map(() => '${{')
  return format(pattern, args)
}

/**
 * What GitHub's evaluator makes of an expression, with `functions` (status
 * functions such as success()) when the expression may call them.
 */
export function evaluateExpression(
  expression: string,
  context: Record<string, unknown> = TRAP_CONTEXT,
  functions: FunctionDefinition[] = []
): unknown {
  const lexed = new Lexer(expression).lex()
  const tree = new Parser(
    lexed.tokens,
    Object.keys(context),
    functions.map(({ name, minArgs, maxArgs }) => ({ name, minArgs, maxArgs }))
  ).parse()
  const input = JSON.parse(
    JSON.stringify(context),
    data.reviver
  ) as data.Dictionary
  const byName = new Map(functions.map(f => [f.name.toLowerCase(), f]))
  const result = new Evaluator(
    tree,
    input,
    functions.length > 0 ? byName : undefined
  ).evaluate()
  return JSON.parse(JSON.stringify(result, data.replacer)) as unknown
}

interface ConvertedStep {
  name?: unknown
  run?: unknown
}
interface ConvertedJob {
  id: { value: string }
  name?: unknown
  'runs-on'?: unknown
  steps: ConvertedStep[]
  needs?: { value: string }[]
}

/** The jobs as GitHub's converter sees them, or its errors. */
export async function convertedJobs(
  text: string
): Promise<{ jobs: ConvertedJob[]; errors: string[] }> {
  const parsed = parseWorkflow(
    { name: 'generated.yml', content: text },
    new NoOperationTraceWriter()
  )
  const errors = parsed.context.errors.getErrors().map(e => e.message)
  if (parsed.value === undefined)
    return { jobs: [], errors: [...errors, 'nothing parsed'] }
  const template = await convertWorkflowTemplate(
    parsed.context,
    parsed.value,
    undefined,
    {
      errorPolicy: ErrorPolicy.TryConversion
    }
  )
  for (const error of template.errors ?? []) errors.push(error.Message)
  return { jobs: template.jobs as unknown as ConvertedJob[], errors }
}
