// Runs an action's run(settings, ports) in this process: a stand-in for
// @actions/core (installed with jest.unstable_mockModule before the action
// is imported) records the outputs, log lines, annotations, failure and
// job summary; settings are built here as inputs.ts would read them.
import type { RunContext } from '../../src/actions/inputs.js'

export interface Annotation {
  kind: 'error' | 'warning' | 'notice'
  message: string
  properties: Record<string, unknown>
}

/** What one step wrote through @actions/core. */
export interface Captured {
  outputs: Record<string, string>
  /** Log lines (info and group titles, `## ` before a group title). */
  log: string[]
  annotations: Annotation[]
  failed: string[]
  summary: string[]
}

export interface CoreCapture {
  /** The module @actions/core is replaced by. */
  module: Record<string, unknown>
  /** What was written since the last reset. */
  readonly captured: Captured
  reset(): void
  /** The log as one text. */
  logText(): string
  warnings(): string[]
}

function empty(): Captured {
  return { outputs: {}, log: [], annotations: [], failed: [], summary: [] }
}

export function captureCore(): CoreCapture {
  let captured = empty()
  const annotate =
    (kind: Annotation['kind']) =>
    (message: string | Error, properties: Record<string, unknown> = {}) => {
      captured.annotations.push({
        kind,
        message: String(message),
        properties
      })
    }
  const pending: string[] = []
  const summary = {
    addRaw(text: string, addEol = false) {
      pending.push(addEol ? `${text}\n` : text)
      return summary
    },
    write() {
      captured.summary.push(pending.splice(0).join(''))
      return Promise.resolve(summary)
    }
  }
  const module: Record<string, unknown> = {
    info: (message: string) => captured.log.push(message),
    debug: () => undefined,
    error: annotate('error'),
    warning: annotate('warning'),
    notice: annotate('notice'),
    setFailed: (message: string | Error) => {
      captured.failed.push(String(message))
    },
    setOutput: (name: string, value: unknown) => {
      captured.outputs[name] = String(value)
    },
    setSecret: () => undefined,
    getInput: () => '',
    getBooleanInput: () => false,
    group: async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      captured.log.push(`## ${name}`)
      return fn()
    },
    summary
  }
  return {
    module,
    get captured() {
      return captured
    },
    reset() {
      captured = empty()
    },
    logText: () => captured.log.join('\n'),
    warnings: () =>
      captured.annotations
        .filter(annotation => annotation.kind === 'warning')
        .map(annotation => annotation.message)
  }
}

/** The run context of a first attempt in `dir`, as a runner gives it. */
export function testRunContext(
  dir: string,
  overrides: Partial<RunContext> = {}
): RunContext {
  return {
    repository: { owner: 'octo', repo: 'shop' },
    eventName: 'push',
    eventPath: '',
    runId: 1,
    runAttempt: 1,
    apiUrl: 'http://127.0.0.1:9',
    workspace: dir,
    cwd: dir,
    stepSummary: true,
    ...overrides
  }
}
