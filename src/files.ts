// Edge I/O for plan and config files: the size cap before any byte is
// read, missing or unreadable files as problems (not exceptions), bytes →
// UTF-8 text; then the pure parsers do the rest.

import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  type Stats
} from 'node:fs'
import path from 'node:path'

import { DEFAULT_PLAN_PATH } from './actions/constants.js'
import { parseConfig } from './plan/config.js'
import { parsePlan } from './plan/load.js'
import { LineIndex } from './plan/positions.js'
import type { LoadResult, ParallelSettings, Problem } from './plan/types.js'

/** Plan (and config) files larger than this are refused unread. */
export const MAX_PLAN_BYTES = 8 * 1024 * 1024

/** Bytes read per call when the size is not known up front (pipes). */
const CHUNK_BYTES = 1024 * 1024

/** The plan path that means standard input (`--plan -`). */
export const STDIN_PATH = '-'

/** How a plan read from standard input is named in messages. */
export const STDIN_NAME = '<stdin>'

/** The text, or why there is none (`missing`: the file does not exist). */
type TextOrProblem = { text: string } | { problem: Problem; missing: boolean }

function fileProblem(
  file: string,
  code: Problem['code'],
  message: string,
  line = 1,
  column = 1
): Problem {
  return { code, severity: 'error', message, file, line, column }
}

function isDefault(file: string, defaultPath: string): boolean {
  const normal = path.normalize(file)
  return (
    normal === path.normalize(defaultPath) ||
    normal.endsWith(path.sep + path.normalize(defaultPath))
  )
}

/** Why a file could not be read, for messages; undefined for an unexpected error. */
export function describeFsError(code: unknown): string | undefined {
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'not found'
    case 'EISDIR':
      return 'is a folder, not a file'
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read (permission denied)'
    case 'ELOOP':
      return 'is a loop of symbolic links, not a file'
    case 'ENAMETOOLONG':
      return 'has a name that is too long'
    default:
      return undefined
  }
}

/** What a file that is not a regular file is, for messages. */
export function kindOf(stat: Stats): string | undefined {
  if (stat.isFile()) return undefined
  if (stat.isDirectory()) return 'a folder'
  if (stat.isFIFO()) return 'a named pipe (FIFO)'
  if (stat.isSocket()) return 'a socket'
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device'
  return 'not a regular file'
}

/**
 * Opens `file` for reading without ever blocking: O_NONBLOCK, so a FIFO
 * with no writer does not hang the open, then fstat on the open file (no
 * race with a swap), so only a regular file or a folder is returned.
 * Throws what `openSync` throws; `kind` names anything else.
 */
export function openRegularFile(
  file: string
): { fd: number; stat: Stats } | { kind: string } {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK)
  const stat = fstatSync(fd)
  const kind = kindOf(stat)
  if (kind !== undefined && !stat.isDirectory()) {
    closeSync(fd)
    return { kind }
  }
  return { fd, stat }
}

/** Sleeps the thread briefly (standard input not ready yet). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Reads standard input to its end (`--plan -`), up to one byte over the limit. */
function readStdin(what: string): TextOrProblem {
  const limit = MAX_PLAN_BYTES + 1
  const chunks: Buffer[] = []
  let total = 0
  for (;;) {
    const want = Math.min(CHUNK_BYTES, limit - total)
    const chunk = Buffer.allocUnsafe(want)
    let read: number
    try {
      read = readSync(0, chunk, 0, want, null)
    } catch (error) {
      const code = (error as { code?: unknown }).code
      if (code === 'EAGAIN') {
        pause(10)
        continue
      }
      if (code === 'EOF') break
      return unreadable(error, STDIN_NAME, what, '')
    }
    if (read === 0) break
    chunks.push(chunk.subarray(0, read))
    total += read
    if (total > MAX_PLAN_BYTES) {
      return { problem: tooLarge(STDIN_NAME, what), missing: false }
    }
  }
  return decode(STDIN_NAME, Buffer.concat(chunks, total))
}

/**
 * Reads a file as UTF-8 text, refusing it unread when it is over
 * MAX_PLAN_BYTES. Only regular files are read: a FIFO, socket or device is
 * refused at once (standard input is `-`).
 */
function readText(file: string, what: string, hint: string): TextOrProblem {
  let fd: number
  let stat: Stats
  try {
    const opened = openRegularFile(file)
    if ('kind' in opened) {
      return {
        problem: fileProblem(
          file,
          'file-not-found',
          `${what} is ${opened.kind}, not a regular file: ${file}. To read a plan from a pipe, pass --plan - and send it to standard input`
        ),
        missing: false
      }
    }
    ;({ fd, stat } = opened)
  } catch (error) {
    return unreadable(error, file, what, hint)
  }
  try {
    if (stat.isDirectory()) {
      return {
        problem: fileProblem(
          file,
          'file-not-found',
          `${what} is a folder, not a file: ${file}${hint}`
        ),
        missing: false
      }
    }
    if (stat.isFile() && stat.size > MAX_PLAN_BYTES) {
      return { problem: tooLarge(file, what, stat.size), missing: false }
    }
    // One byte past the limit is enough to know a file is too large, also
    // when it grows after `stat` or is a pipe or device with no size.
    const limit = MAX_PLAN_BYTES + 1
    const first = stat.isFile() ? Math.min(stat.size + 1, limit) : CHUNK_BYTES
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const want = Math.min(
        chunks.length === 0 ? first : CHUNK_BYTES,
        limit - total
      )
      const chunk = Buffer.allocUnsafe(want)
      const read = readSync(fd, chunk, 0, want, null)
      if (read === 0) break
      chunks.push(chunk.subarray(0, read))
      total += read
      if (total > MAX_PLAN_BYTES) {
        return { problem: tooLarge(file, what), missing: false }
      }
    }
    return decode(file, Buffer.concat(chunks, total))
  } catch (error) {
    return unreadable(error, file, what, hint)
  } finally {
    closeSync(fd)
  }
}

/** A file system error as a problem; unexpected errors are rethrown. */
function unreadable(
  error: unknown,
  file: string,
  what: string,
  hint: string
): TextOrProblem {
  const code = (error as { code?: unknown } | null)?.code
  const reason = describeFsError(code)
  if (reason === undefined) throw error
  return {
    problem: fileProblem(
      file,
      'file-not-found',
      `${what} ${reason}: ${file}${hint}`
    ),
    missing: code === 'ENOENT' || code === 'ENOTDIR'
  }
}

/** `size`: the file's size when stat knows it, else undefined (read past the limit). */
function tooLarge(file: string, what: string, size?: number): Problem {
  const mib = (n: number): string => (n / (1024 * 1024)).toFixed(1)
  const limit = mib(MAX_PLAN_BYTES)
  return fileProblem(
    file,
    'too-large',
    size === undefined
      ? `${what} is too large: more than ${limit} MiB, the limit (stopped reading there)`
      : `${what} is too large: ${mib(size)} MiB, the limit is ${limit} MiB (refused before reading)`
  )
}

/** Bytes → text; binary data and invalid UTF-8 are `yaml` problems. */
function decode(file: string, bytes: Buffer): TextOrProblem {
  const nul = bytes.indexOf(0)
  if (nul !== -1) {
    // Position of the NUL: lines counted in bytes before it.
    const { line, column } = LineIndex.of(
      bytes.subarray(0, nul).toString('latin1')
    ).positionOf(nul)
    return {
      problem: fileProblem(
        file,
        'yaml',
        'binary data (a NUL byte): expected a UTF-8 text file (a UTF-16 file must be saved as UTF-8)',
        line,
        column
      ),
      missing: false
    }
  }
  try {
    // `fatal` refuses invalid UTF-8; a UTF-8 byte order mark is dropped.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) }
  } catch {
    const lenient = new TextDecoder('utf-8').decode(bytes)
    const at = Math.max(0, lenient.indexOf('\uFFFD'))
    const { line, column } = LineIndex.of(lenient).positionOf(at)
    return {
      problem: fileProblem(
        file,
        'yaml',
        'not UTF-8 text (an invalid byte sequence here): expected a UTF-8 text file',
        line,
        column
      ),
      missing: false
    }
  }
}

/** Reads and parses a plan file; every failure is a problem, never a throw. */
export function readPlanFile(file: string): LoadResult {
  const hint = isDefault(file, DEFAULT_PLAN_PATH)
    ? `. Create it (a \`phases:\` list), or pass --plan FILE (the \`plan\` input in Actions) to use another file`
    : ''
  const read =
    file === STDIN_PATH
      ? readStdin('Phase plan')
      : readText(file, 'Phase plan', hint)
  if ('problem' in read) return { problems: [read.problem] }
  return parsePlan(read.text, file === STDIN_PATH ? STDIN_NAME : file)
}

/**
 * Reads and parses a config file. A missing file is fine unless its path
 * was given explicitly (`explicit`), then it is a `file-not-found` problem.
 */
export function readConfigFile(
  file: string,
  explicit: boolean
): { settings: Partial<ParallelSettings>; problems: Problem[] } {
  const read = readText(file, 'Config file', '')
  if ('problem' in read) {
    if (read.missing && !explicit) return { settings: {}, problems: [] }
    return { settings: {}, problems: [read.problem] }
  }
  return parseConfig(read.text, file)
}
