// Plan text made safe for where it goes: colour for a terminal that allows
// it, control characters shown escaped in a terminal, workflow commands
// made inert in a runner's log.

// ANSI styles for terminal output. Callers decide whether colour is allowed
// (a terminal, no NO_COLOR); with `enabled` false every style is identity,
// so the same renderer produces plain text for pipes, files and tests.

export type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'green' | 'cyan'

const CODES: Record<Style, readonly [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  yellow: [33, 39],
  green: [32, 39],
  cyan: [36, 39]
}

/** A function that wraps text in a style, or returns it unchanged. */
export type Paint = (style: Style, text: string) => string

/** Returns a painter; with `enabled` false it returns text unchanged. */
export function painter(enabled: boolean): Paint {
  if (!enabled) return (_style, text) => text
  return (style, text) => {
    const [open, close] = CODES[style]
    return `\u001b[${open}m${text}\u001b[${close}m`
  }
}

// Plan text in a terminal stays text: an ESC in a description must not
// clear the screen, retitle the window (OSC) or write the clipboard (OSC
// 52). Every C0 control but TAB and LF, DEL and every C1 control (U+0080
// to U+009F, which some terminals obey as CSI and OSC) is shown escaped,
// as `\x1b`, `\r`, `\x9b`. Linear in the text.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

function escapeControl(char: string): string {
  if (char === '\r') return '\\r'
  return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`
}

/** `text` with every terminal control character shown escaped. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, escapeControl)
}

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
