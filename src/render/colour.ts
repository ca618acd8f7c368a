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
