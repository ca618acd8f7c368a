// The command that regenerates a needs workflow, as written in its header
// (`phase-matrix generate --plan … --out …`), and read back by `check` so it
// regenerates with the same template and settings. Arguments are quoted for
// a POSIX shell: bare when harmless, 'single-quoted' when visible text,
// $'ANSI-C quoted' otherwise, so a header line is always one line of visible
// text that a user can paste. O(length of the line).
import { isVisibleText } from './yaml.js'

/** What `generate` was asked for: the flags recorded in the header. */
export interface GenerateInvocation {
  plan: string
  config?: string
  template?: string
  out?: string
  maxWorkers?: number
  /** `--max-jobs N`: phases packed into at most N jobs run by exec. */
  maxJobs?: number
  failFast?: boolean
  /**
   * `--cache-passed`: a first job finds the phases unchanged since they
   * passed (the plan action with a store kept by actions/cache), their jobs
   * are skipped, and a last job saves the new store.
   */
  cachePassed?: boolean
}

export const GENERATE_COMMAND = 'phase-matrix generate'

const BARE = /^[A-Za-z0-9_./@%+=:,-]+$/

/** One argument quoted for a POSIX shell (bash for the $'…' form). */
export function quoteShellArg(arg: string): string {
  if (BARE.test(arg)) return arg
  if (isVisibleText(arg) && !arg.includes('\n')) {
    return `'${arg.replaceAll("'", `'\\''`)}'`
  }
  let out = "$'"
  for (const ch of arg) {
    const code = ch.codePointAt(0) ?? 0
    if (ch === '\\' || ch === "'") out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\r') out += '\\r'
    else if (isVisibleText(ch) && ch !== '\n') out += ch
    else if (code < 0x80) out += `\\x${code.toString(16).padStart(2, '0')}`
    else out += `\\u${code.toString(16).padStart(4, '0')}`
  }
  return `${out}'`
}

/** `phase-matrix generate --plan P [--config C] [--template T] … [--out O]`. */
export function formatGenerateCommand(invocation: GenerateInvocation): string {
  const args = ['--plan', invocation.plan]
  if (invocation.config !== undefined) args.push('--config', invocation.config)
  if (invocation.template !== undefined) {
    args.push('--template', invocation.template)
  }
  if (invocation.maxWorkers !== undefined) {
    args.push('--max-workers', String(invocation.maxWorkers))
  }
  if (invocation.maxJobs !== undefined) {
    args.push('--max-jobs', String(invocation.maxJobs))
  }
  if (invocation.failFast === true) args.push('--fail-fast')
  if (invocation.cachePassed === true) args.push('--cache-passed')
  if (invocation.out !== undefined) args.push('--out', invocation.out)
  return [GENERATE_COMMAND, ...args.map(quoteShellArg)].join(' ')
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'"
}

/** Splits a line quoted by quoteShellArg back into words; undefined if malformed. */
export function splitShellWords(line: string): string[] | undefined {
  const words: string[] = []
  let word: string | undefined
  let i = 0
  while (i < line.length) {
    const ch = line.charAt(i)
    if (ch === ' ') {
      if (word !== undefined) words.push(word)
      word = undefined
      i++
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1)
      if (end === -1) return undefined
      word = (word ?? '') + line.slice(i + 1, end)
      i = end + 1
    } else if (ch === '\\') {
      if (i + 1 >= line.length) return undefined
      word = (word ?? '') + line.charAt(i + 1)
      i += 2
    } else if (ch === '$' && line.charAt(i + 1) === "'") {
      i += 2
      let text = ''
      for (;;) {
        if (i >= line.length) return undefined
        const c = line.charAt(i)
        if (c === "'") break
        if (c !== '\\') {
          text += c
          i++
          continue
        }
        const e = line.charAt(i + 1)
        const simple = ESCAPES[e]
        const digits = e === 'x' ? 2 : e === 'u' ? 4 : 0
        if (simple !== undefined) {
          text += simple
          i += 2
        } else if (digits > 0) {
          const hex = line.slice(i + 2, i + 2 + digits)
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) {
            return undefined
          }
          text += String.fromCharCode(parseInt(hex, 16))
          i += 2 + digits
        } else {
          return undefined
        }
      }
      word = (word ?? '') + text
      i++
    } else {
      word = (word ?? '') + ch
      i++
    }
  }
  if (word !== undefined) words.push(word)
  return words
}

/**
 * The invocation recorded in a `phase-matrix generate …` line, or undefined
 * when the line is not one we wrote (unknown flag, bad quoting, bad number).
 */
export function parseGenerateCommand(
  line: string
): GenerateInvocation | undefined {
  if (!line.startsWith(`${GENERATE_COMMAND} `)) return undefined
  const words = splitShellWords(line.slice(GENERATE_COMMAND.length + 1))
  if (words === undefined) return undefined
  const found: Record<string, string> = {}
  let failFast = false
  let cachePassed = false
  for (let i = 0; i < words.length; i++) {
    const flag = words[i]
    if (flag === '--fail-fast') {
      failFast = true
      continue
    }
    if (flag === '--cache-passed') {
      cachePassed = true
      continue
    }
    const value = words[i + 1]
    if (
      value === undefined ||
      ![
        '--plan',
        '--config',
        '--template',
        '--max-workers',
        '--max-jobs',
        '--out'
      ].includes(flag ?? '')
    ) {
      return undefined
    }
    found[(flag ?? '').slice(2)] = value
    i++
  }
  const plan = found.plan
  if (plan === undefined) return undefined
  const invocation: GenerateInvocation = { plan }
  if (found.config !== undefined) invocation.config = found.config
  if (found.template !== undefined) invocation.template = found.template
  if (found['max-workers'] !== undefined) {
    if (!/^\d{1,9}$/.test(found['max-workers'])) return undefined
    invocation.maxWorkers = Number(found['max-workers'])
  }
  if (found['max-jobs'] !== undefined) {
    if (!/^[1-9]\d{0,8}$/.test(found['max-jobs'])) return undefined
    invocation.maxJobs = Number(found['max-jobs'])
  }
  if (failFast) invocation.failFast = true
  if (cachePassed) invocation.cachePassed = true
  if (found.out !== undefined) invocation.out = found.out
  return invocation
}
