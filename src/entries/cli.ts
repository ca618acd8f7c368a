#!/usr/bin/env node
// Bundle entry for `phase-matrix` (package.json "bin"): runs the CLI with the
// process's streams. Sets process.exitCode instead of calling process.exit so
// output written to a pipe is flushed completely before Node exits.
import { colourAllowed, INTERNAL_ERROR_EXIT, main } from '../cli/main.js'
import { errorMessage } from '../plan/errors.js'

// A reader that goes away early (`phase-matrix plan | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') return
  process.stderr.write(`phase-matrix: cannot write output: ${error.message}\n`)
  process.exitCode = 2
})

// `exec` stops its running phase when the runner cancels the step (other
// commands keep Node's default: a signal ends them).
const stop = new AbortController()
if (process.argv[2] === 'exec') {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop.abort()
    })
  }
}

main(process.argv.slice(2), {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
  colour: colourAllowed(process.stdout.isTTY, process.env),
  colourErr: colourAllowed(process.stderr.isTTY, process.env),
  signal: stop.signal
}).then(
  code => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(
      `phase-matrix: internal error: ${errorMessage(error)}, please report it\n`
    )
    process.exitCode = INTERNAL_ERROR_EXIT
  }
)
