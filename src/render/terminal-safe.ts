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
