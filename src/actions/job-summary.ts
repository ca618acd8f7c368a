// The job summary (GITHUB_STEP_SUMMARY): a buffer written with write(), the
// same API and the same HTML as @actions/core's `summary`, without loading
// @actions/core (see toolkit.ts for why).
import { constants } from 'node:fs'
import { access, appendFile, writeFile } from 'node:fs/promises'
import { EOL } from 'node:os'

export const SUMMARY_ENV_VAR = 'GITHUB_STEP_SUMMARY'

export type SummaryTableCell =
  | string
  | { data: string; header?: boolean; colspan?: string; rowspan?: string }

export class Summary {
  private buffer = ''
  private filePathCache: string | undefined

  private async filePath(): Promise<string> {
    if (this.filePathCache !== undefined) return this.filePathCache
    const fromEnv = process.env[SUMMARY_ENV_VAR] ?? ''
    if (fromEnv === '') {
      throw new Error(
        `Unable to find environment variable for $${SUMMARY_ENV_VAR}. Check if your runtime environment supports job summaries.`
      )
    }
    try {
      await access(fromEnv, constants.R_OK | constants.W_OK)
    } catch {
      throw new Error(
        `Unable to access summary file: '${fromEnv}'. Check if the file has correct read/write permissions.`
      )
    }
    this.filePathCache = fromEnv
    return fromEnv
  }

  private wrap(
    tag: string,
    content: string | null,
    attrs: Record<string, string> = {}
  ): string {
    const htmlAttrs = Object.entries(attrs)
      .map(([key, value]) => ` ${key}="${value}"`)
      .join('')
    if (content === null || content === '') return `<${tag}${htmlAttrs}>`
    return `<${tag}${htmlAttrs}>${content}</${tag}>`
  }

  /** Appends the buffer to the summary file (or replaces it) and empties the buffer. */
  async write(options: { overwrite?: boolean } = {}): Promise<this> {
    const filePath = await this.filePath()
    const writeFunc = options.overwrite === true ? writeFile : appendFile
    await writeFunc(filePath, this.buffer, { encoding: 'utf8' })
    return this.emptyBuffer()
  }

  async clear(): Promise<this> {
    return this.emptyBuffer().write({ overwrite: true })
  }

  stringify(): string {
    return this.buffer
  }

  isEmptyBuffer(): boolean {
    return this.buffer.length === 0
  }

  emptyBuffer(): this {
    this.buffer = ''
    return this
  }

  addRaw(text: string, addEOL = false): this {
    this.buffer += text
    return addEOL ? this.addEOL() : this
  }

  addEOL(): this {
    return this.addRaw(EOL)
  }

  addCodeBlock(code: string, lang?: string): this {
    const attrs: Record<string, string> =
      lang === undefined || lang === '' ? {} : { lang }
    return this.addRaw(
      this.wrap('pre', this.wrap('code', code), attrs)
    ).addEOL()
  }

  addList(items: string[], ordered = false): this {
    const listItems = items.map(item => this.wrap('li', item)).join('')
    return this.addRaw(this.wrap(ordered ? 'ol' : 'ul', listItems)).addEOL()
  }

  addTable(rows: SummaryTableCell[][]): this {
    const body = rows
      .map(row => {
        const cells = row
          .map(cell => {
            if (typeof cell === 'string') return this.wrap('td', cell)
            const attrs: Record<string, string> = {}
            if (cell.colspan !== undefined && cell.colspan !== '') {
              attrs['colspan'] = cell.colspan
            }
            if (cell.rowspan !== undefined && cell.rowspan !== '') {
              attrs['rowspan'] = cell.rowspan
            }
            return this.wrap(
              cell.header === true ? 'th' : 'td',
              cell.data,
              attrs
            )
          })
          .join('')
        return this.wrap('tr', cells)
      })
      .join('')
    return this.addRaw(this.wrap('table', body)).addEOL()
  }

  addDetails(label: string, content: string): this {
    return this.addRaw(
      this.wrap('details', this.wrap('summary', label) + content)
    ).addEOL()
  }

  addHeading(text: string, level: number | string = 1): this {
    const tag = `h${String(level)}`
    const allowed = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(tag)
      ? tag
      : 'h1'
    return this.addRaw(this.wrap(allowed, text)).addEOL()
  }

  addSeparator(): this {
    return this.addRaw(this.wrap('hr', null)).addEOL()
  }

  addBreak(): this {
    return this.addRaw(this.wrap('br', null)).addEOL()
  }

  addQuote(text: string, cite?: string): this {
    const attrs: Record<string, string> =
      cite === undefined || cite === '' ? {} : { cite }
    return this.addRaw(this.wrap('blockquote', text, attrs)).addEOL()
  }

  addLink(text: string, href: string): this {
    return this.addRaw(this.wrap('a', text, { href })).addEOL()
  }
}

/** The process's one summary buffer (like @actions/core's `summary`). */
export const summary = new Summary()

/**
 * Appends markdown to the job summary. Outside a runner (no
 * GITHUB_STEP_SUMMARY) there is none: returns false and writes nothing.
 */
export async function appendSummary(markdown: string): Promise<boolean> {
  if ((process.env[SUMMARY_ENV_VAR] ?? '') === '') return false
  await summary.addRaw(markdown, true).write()
  return true
}
