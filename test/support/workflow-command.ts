// The tests' own statement of what the runner reads as a workflow command
// (logSafe in src/render/safe-text.ts must leave no such line): a line
// that starts with \`::\` after white space, or holds \`##[\` anywhere.
const LEADING_SPACE = /^[\s\u0085\u180e\ufeff]*/

/** True when the runner would read some line of \`text\` as a command. */
export function carriesWorkflowCommand(text: string): boolean {
  return text
    .split(/\r\n|\r|\n/)
    .some(
      line =>
        line.replace(LEADING_SPACE, '').startsWith('::') || line.includes('##[')
    )
}
