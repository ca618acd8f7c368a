// Plan text in a runner's log stays text. The runner reads every line of a
// step's output that starts (after whitespace) with `::` as a workflow
// command, and any line that carries `##[` as a legacy one; it splits lines
// on CR as well as LF. So a description `::add-mask::x`, an id
// `build##[error]x` or a YAML key with a line break in it would act. This
// makes any text inert, line by line: a zero-width space (U+200B, not
// whitespace for the runner) goes between the colons of a leading `::` and
// between `##` and `[`. What a reader sees is unchanged. Linear in the text.

const ZERO_WIDTH_SPACE = '\u200b'

/** Leading whitespace as the runner (.NET `TrimStart`) drops it, and a bit more. */
const LEADING_SPACE = /^[\s\u0085\u180e\ufeff]*/

/** One line (no CR or LF in it) made inert. */
function inertLine(line: string): string {
  const broken = line.replace(/##\[/g, `##${ZERO_WIDTH_SPACE}[`)
  const at = (LEADING_SPACE.exec(broken)?.[0] ?? '').length + 1
  if (broken.startsWith('::', at - 1)) {
    return `${broken.slice(0, at)}${ZERO_WIDTH_SPACE}${broken.slice(at)}`
  }
  return broken
}

/**
 * `text` as log lines no runner reads as a command: every line (CR, LF and
 * CRLF all end one; a lone CR becomes LF) with a leading `::` and every
 * `##[` broken by a zero-width space.
 */
export function logSafe(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map(inertLine)
    .join('\n')
}

/**
 * True when the runner would read some line of `text` as a command (the
 * test the function above makes false).
 */
export function carriesWorkflowCommand(text: string): boolean {
  return text
    .split(/\r\n|\r|\n/)
    .some(
      line =>
        line.replace(LEADING_SPACE, '').startsWith('::') || line.includes('##[')
    )
}
