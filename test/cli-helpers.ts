// A CliIo that records what a command writes, for in-process CLI tests.
import type { CliIo } from '../src/cli/command.js'
import type { PlanJson, ProblemsJson } from '../src/render/json.js'

export interface RecordingIo extends CliIo {
  out: string
  err: string
}

export function recordingIo(over: Partial<CliIo> = {}): RecordingIo {
  const io: RecordingIo = {
    out: '',
    err: '',
    stdout: text => {
      io.out += text
    },
    stderr: text => {
      io.err += text
    },
    cwd: process.cwd(),
    env: {},
    colour: false,
    colourErr: false,
    ...over
  }
  return io
}

/** JSON.parse typed as the plan output (tests then check its content). */
export function planJson(text: string): PlanJson {
  return JSON.parse(text) as PlanJson
}

/** JSON.parse typed as the errors output. */
export function problemsJson(text: string): ProblemsJson {
  return JSON.parse(text) as ProblemsJson
}
