// Plan text is data. GitHub evaluates every `${{ … }}` in most workflow
// values (`run`, `name`, `env`, `runs-on`, …), so a plan whose `run` holds
// `${{ secrets.TOKEN }}` would read a secret. Each `${{` of plan text is
// replaced by the expression `${{ '${{' }}`, which evaluates to the two
// characters `${{` themselves; nothing else of the text can start an
// expression. O(text length).

const OPEN = '${{'
/** The expression whose value is the literal text `${{`. */
export const ESCAPED_OPEN = "${{ '${{' }}"

/** Text GitHub will show as-is: every `${{` becomes `${{ '${{' }}`. */
export function escapeExpressions(text: string): string {
  return text.includes(OPEN) ? text.replaceAll(OPEN, ESCAPED_OPEN) : text
}

/** Escapes a runner label or list of labels the same way. */
export function escapeExpressionsIn(
  value: string | string[]
): string | string[] {
  return typeof value === 'string'
    ? escapeExpressions(value)
    : value.map(escapeExpressions)
}

/** Largest expression GitHub's expression lexer accepts (characters). */
export const MAX_EXPRESSION_LENGTH = 21000

/**
 * Length of the `format(…)` expression GitHub builds from a string that
 * mixes literal text and expressions (the workflow parser's parseScalar):
 * literal `'`, `{`, `}` are doubled and each expression adds `{n}` and an
 * argument. Text without `${{` is no expression at all (0). The runner
 * refuses an expression over MAX_EXPRESSION_LENGTH characters, so escaped
 * plan text longer than that cannot run.
 */
export function formatExpressionLength(escaped: string): number {
  if (!escaped.includes(OPEN)) return 0
  const parts = escaped.split(ESCAPED_OPEN)
  let length = "format('".length + "')".length
  parts.forEach((literal, index) => {
    length += literal.length + (literal.match(/['{}]/g)?.length ?? 0)
    if (index > 0) length += `{${index - 1}}`.length + ", '${{'".length
  })
  return length
}
