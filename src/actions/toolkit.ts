// The one door to the runner: every action module takes the toolkit from
// here. It is a lean implementation of the few workflow commands we use,
// written to produce exactly what @actions/core produces (test/actions/
// toolkit.test.ts compares the two). Why not re-export @actions/core: its
// OIDC client loads @actions/http-client and undici at import, and its
// platform module loads @actions/exec, which doubles the plan bundle's cold
// start (bench/action.bench.ts).
import { randomUUID } from 'node:crypto'
import { appendFileSync, existsSync } from 'node:fs'
import { EOL } from 'node:os'

export { appendSummary, summary } from './job-summary.js'

/** Where an annotation points (the same shape as @actions/core's). */
export interface AnnotationProperties {
  title?: string
  file?: string
  startLine?: number
  endLine?: number
  startColumn?: number
  endColumn?: number
}

export interface InputOptions {
  required?: boolean
  trimWhitespace?: boolean
}

type CommandProperties = Record<string, string | number | undefined>

/** A value as the runner reads it: strings as they are, the rest as JSON. */
function toCommandValue(input: unknown): string {
  if (input === null || input === undefined) return ''
  if (typeof input === 'string') return input
  return JSON.stringify(input)
}

function escapeData(value: unknown): string {
  return toCommandValue(value)
    .replace(/%/g, '%25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A')
}

function escapeProperty(value: unknown): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/** `::name key=value,…::message` on standard output. */
function issueCommand(
  command: string,
  properties: CommandProperties,
  message: unknown
): void {
  let text = `::${command}`
  const pairs: string[] = []
  for (const [key, value] of Object.entries(properties)) {
    // Like @actions/core: unset and empty (and 0) properties are left out.
    if (value !== undefined && value !== '' && value !== 0) {
      pairs.push(`${key}=${escapeProperty(value)}`)
    }
  }
  if (pairs.length > 0) text += ` ${pairs.join(',')}`
  process.stdout.write(`${text}::${escapeData(message)}${EOL}`)
}

/** Appends to the file a runner file command names (GITHUB_OUTPUT, …). */
function issueFileCommand(command: string, message: string): void {
  const filePath = process.env[`GITHUB_${command}`]
  if (filePath === undefined || filePath === '') {
    throw new Error(
      `Unable to find environment variable for file command ${command}`
    )
  }
  if (!existsSync(filePath)) {
    throw new Error(`Missing file at path: ${filePath}`)
  }
  appendFileSync(filePath, `${message}${EOL}`, { encoding: 'utf8' })
}

/** `name<<delimiter` heredoc with a random delimiter the value cannot end early. */
function keyValueMessage(key: string, value: unknown): string {
  const delimiter = `ghadelimiter_${randomUUID()}`
  const text = toCommandValue(value)
  if (key.includes(delimiter)) {
    throw new Error(
      `Unexpected input: name should not contain the delimiter "${delimiter}"`
    )
  }
  if (text.includes(delimiter)) {
    throw new Error(
      `Unexpected input: value should not contain the delimiter "${delimiter}"`
    )
  }
  return `${key}<<${delimiter}${EOL}${text}${EOL}${delimiter}`
}

function annotationProperties(
  properties: AnnotationProperties
): CommandProperties {
  return {
    title: properties.title,
    file: properties.file,
    line: properties.startLine,
    endLine: properties.endLine,
    col: properties.startColumn,
    endColumn: properties.endColumn
  }
}

/** The value of an input (`INPUT_<NAME>`, spaces as `_`), trimmed by default. */
export function getInput(name: string, options: InputOptions = {}): string {
  const value =
    process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? ''
  if (options.required === true && value === '') {
    throw new Error(`Input required and not supplied: ${name}`)
  }
  return options.trimWhitespace === false ? value : value.trim()
}

/** A YAML 1.2 core-schema boolean input, as @actions/core reads it. */
export function getBooleanInput(
  name: string,
  options: InputOptions = {}
): boolean {
  const value = getInput(name, options)
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new TypeError(
    `Input does not meet YAML 1.2 "Core Schema" specification: ${name}\n` +
      'Support boolean input list: `true | True | TRUE | false | False | FALSE`'
  )
}

export function setOutput(name: string, value: unknown): void {
  if ((process.env['GITHUB_OUTPUT'] ?? '') !== '') {
    issueFileCommand('OUTPUT', keyValueMessage(name, value))
    return
  }
  process.stdout.write(EOL)
  issueCommand('set-output', { name }, toCommandValue(value))
}

export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret)
}

export function info(message: string): void {
  process.stdout.write(message + EOL)
}

export function debug(message: string): void {
  issueCommand('debug', {}, message)
}

function annotate(
  kind: 'error' | 'warning' | 'notice',
  message: string | Error,
  properties: AnnotationProperties
): void {
  issueCommand(
    kind,
    annotationProperties(properties),
    message instanceof Error ? message.toString() : message
  )
}

export function error(
  message: string | Error,
  properties: AnnotationProperties = {}
): void {
  annotate('error', message, properties)
}

export function warning(
  message: string | Error,
  properties: AnnotationProperties = {}
): void {
  annotate('warning', message, properties)
}

export function notice(
  message: string | Error,
  properties: AnnotationProperties = {}
): void {
  annotate('notice', message, properties)
}

/** Marks the step failed (exit code 1 once the process ends) with an error annotation. */
export function setFailed(message: string | Error): void {
  process.exitCode = 1
  error(message)
}

/** Runs `fn` inside a collapsible log group that is closed even when it throws. */
export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  issueCommand('group', {}, name)
  try {
    return await fn()
  } finally {
    issueCommand('endgroup', {}, '')
  }
}
