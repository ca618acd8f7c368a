// The actions' log, with every message made inert (render/log-safe.ts): plan
// text printed here (descriptions, ids, keys, problem messages) can never
// be read by the runner as a workflow command. Action modules log only
// through this module; the toolkit below it is swappable.
import { logSafe } from '../render/log-safe.js'
import * as toolkit from './toolkit.js'

export type { AnnotationProperties } from './toolkit.js'
export {
  appendSummary,
  getBooleanInput,
  getInput,
  setOutput,
  setSecret,
  summary
} from './toolkit.js'

function safe(message: string | Error): string {
  return logSafe(message instanceof Error ? message.toString() : message)
}

function safeProperties(
  properties: toolkit.AnnotationProperties
): toolkit.AnnotationProperties {
  const copy = { ...properties }
  if (copy.title !== undefined) copy.title = logSafe(copy.title)
  return copy
}

export function info(message: string): void {
  toolkit.info(logSafe(message))
}

export function debug(message: string): void {
  toolkit.debug(logSafe(message))
}

export function error(
  message: string | Error,
  properties: toolkit.AnnotationProperties = {}
): void {
  toolkit.error(safe(message), safeProperties(properties))
}

export function warning(
  message: string | Error,
  properties: toolkit.AnnotationProperties = {}
): void {
  toolkit.warning(safe(message), safeProperties(properties))
}

export function notice(
  message: string | Error,
  properties: toolkit.AnnotationProperties = {}
): void {
  toolkit.notice(safe(message), safeProperties(properties))
}

export function setFailed(message: string | Error): void {
  toolkit.setFailed(safe(message))
}

export function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return toolkit.group(logSafe(name), fn)
}
