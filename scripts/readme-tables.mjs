// Writes the inputs/outputs tables of each action.yml into README.md between
// markers, so the README cannot drift from the actions (`npm run readme`;
// `--check` exits 1 when README.md is stale, as CI runs it through jest).
import { readFileSync, writeFileSync } from 'node:fs'
import { parse } from 'yaml'

const actions = [
  { marker: 'plan', file: 'action.yml', uses: 'phase-matrix/phase-matrix@v1' },
  {
    marker: 'settle',
    file: 'settle/action.yml',
    uses: 'phase-matrix/phase-matrix/settle@v1'
  },
  {
    marker: 'check',
    file: 'check/action.yml',
    uses: 'phase-matrix/phase-matrix/check@v1'
  }
]

const cell = text =>
  String(text ?? '')
    .trim()
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')

export function tablesFor(file, uses) {
  const action = parse(readFileSync(file, 'utf8'))
  const lines = [
    `\`uses: ${uses}\` — ${cell(action.description)}`,
    '',
    '| input | default | description |',
    '|---|---|---|'
  ]
  for (const [name, input] of Object.entries(action.inputs ?? {})) {
    const fallback =
      input.default === undefined
        ? input.required
          ? '*required*'
          : ''
        : input.default === ''
          ? "''"
          : `\`${input.default}\``
    lines.push(
      `| \`${name}\` | ${cell(fallback)} | ${cell(input.description)} |`
    )
  }
  lines.push('', '| output | description |', '|---|---|')
  for (const [name, output] of Object.entries(action.outputs ?? {})) {
    lines.push(`| \`${name}\` | ${cell(output.description)} |`)
  }
  return lines.join('\n')
}

export function renderReadme(readme) {
  let text = readme
  for (const { marker, file, uses } of actions) {
    const start = `<!-- action-docs:${marker}:start -->`
    const end = `<!-- action-docs:${marker}:end -->`
    const from = text.indexOf(start)
    const to = text.indexOf(end)
    if (from === -1 || to === -1)
      throw new Error(`README.md lacks the ${start} … ${end} markers`)
    text = `${text.slice(0, from + start.length)}\n${tablesFor(file, uses)}\n${text.slice(to)}`
  }
  return text
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const current = readFileSync('README.md', 'utf8')
  const fresh = renderReadme(current)
  if (process.argv.includes('--check')) {
    if (fresh !== current) {
      console.error(
        "README.md's action tables are stale: run `npm run readme` and commit README.md."
      )
      process.exitCode = 1
    }
  } else if (fresh !== current) {
    writeFileSync('README.md', fresh)
    console.log('README.md: action tables updated')
  }
}
