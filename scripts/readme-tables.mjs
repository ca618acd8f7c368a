// Writes the inputs/outputs tables of each action.yml into its README between
// markers, so the docs cannot drift from the actions (`npm run readme`;
// `--check` exits 1 when a README is stale; `npm test` runs it).
import { readFileSync, writeFileSync } from 'node:fs'
import { parse } from 'yaml'

const actions = [
  {
    marker: 'plan',
    file: 'action.yml',
    doc: 'README.md',
    uses: 'phase-matrix/phase-matrix@v1'
  },
  {
    marker: 'settle',
    file: 'settle/action.yml',
    doc: 'settle/README.md',
    uses: 'phase-matrix/phase-matrix/settle@v1'
  },
  {
    marker: 'exec',
    file: 'exec/action.yml',
    doc: 'exec/README.md',
    uses: 'phase-matrix/phase-matrix/exec@v1'
  },
  {
    marker: 'check',
    file: 'check/action.yml',
    doc: 'check/README.md',
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

/**
 * `text` (of the file `doc`) with what stands between the markers
 * `<!-- ${name}:start -->` and `<!-- ${name}:end -->` replaced by `body`.
 * Also used by bench/run.mjs for the tables of docs/performance.md.
 */
export function replaceBetween(doc, text, name, body) {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from === -1 || to === -1)
    throw new Error(`${doc} lacks the ${start} … ${end} markers`)
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`
}

/** `doc`'s text with the tables of every action documented in it renewed. */
export function renderDoc(doc, text) {
  let fresh = text
  for (const { marker, file, uses } of actions.filter(a => a.doc === doc))
    fresh = replaceBetween(
      doc,
      fresh,
      `action-docs:${marker}`,
      tablesFor(file, uses)
    )
  return fresh
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check')
  for (const doc of [...new Set(actions.map(a => a.doc))]) {
    const current = readFileSync(doc, 'utf8')
    const fresh = renderDoc(doc, current)
    if (fresh === current) continue
    if (check) {
      console.error(
        `${doc}: the action tables are stale: run \`npm run readme\` and commit it.`
      )
      process.exitCode = 1
    } else {
      writeFileSync(doc, fresh)
      console.log(`${doc}: action tables updated`)
    }
  }
}
