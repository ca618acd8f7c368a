// The reader of files in the repository, shared by the CLI and the actions:
// plan and config files (the size cap before any byte is read, missing or
// unreadable files as problems, bytes → UTF-8 text, then the pure parsers),
// and paths as given. Every file is opened without blocking and only when
// it is a regular file (workflow-files.ts reads the needs workflow's files
// through openRegularFile too; it is apart because it needs the renderer).
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  type Stats,
  readSync,
  realpathSync
} from 'node:fs'
import path from 'node:path'
import { DEFAULT_PLAN_PATH } from '../actions/constants.js'
import { parseConfig, resolveSettings } from '../plan/config.js'
import { errorCode } from '../plan/errors.js'
import { analyzePlan } from '../plan/analyze.js'
import { applyDefaultRetries } from '../plan/types.js'
import { sortProblems } from '../plan/errors.js'
import { parsePlan } from '../plan/load.js'
import { LineIndex } from '../plan/yaml-nodes.js'
import type {
  LoadResult,
  ParallelSettings,
  Plan,
  PlanAnalysis,
  Problem
} from '../plan/types.js'

// Opening a file: a FIFO never blocks; file system errors said in words.

const FS_ERROR_WORDS = new Map<unknown, string>([
  ['ENOENT', 'not found'],
  ['ENOTDIR', 'not found'],
  ['EISDIR', 'is a folder, not a file'],
  ['EACCES', 'cannot be read (permission denied)'],
  ['EPERM', 'cannot be read (permission denied)'],
  ['ELOOP', 'is a loop of symbolic links, not a file'],
  ['ENAMETOOLONG', 'has a name that is too long']
])

/** Why a file could not be read, for messages; undefined for an unexpected error. */
export function describeFsError(code: unknown): string | undefined {
  return FS_ERROR_WORDS.get(code)
}

/** What a file that is not a regular file is, for messages. */
function kindOf(stat: Stats): string | undefined {
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

// Plan and config files.

/** Plan (and config) files larger than this are refused unread. */
export const MAX_PLAN_BYTES = 8 * 1024 * 1024

/** Bytes read per call when the size is not known up front (pipes). */
const CHUNK_BYTES = 1024 * 1024

/** The plan path that means standard input (`--plan -`). */
const STDIN_PATH = '-'

/** How a plan read from standard input is named in messages. */
const STDIN_NAME = '<stdin>'

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

/** Sleeps the thread briefly (standard input not ready yet). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * Reads with `readInto` (bytes read into the chunk, 0 at the end) until the
 * end or one byte past MAX_PLAN_BYTES, which is enough to know the input is
 * too large (also a file that grows after `stat`, or a pipe or device with
 * no size): the bytes, or undefined when too large. `first`: the first
 * read's size. Throws what `readInto` throws.
 */
function readUpToLimit(
  readInto: (chunk: Buffer) => number,
  first = CHUNK_BYTES
): Buffer | undefined {
  const limit = MAX_PLAN_BYTES + 1
  const chunks: Buffer[] = []
  let total = 0
  for (;;) {
    const want = Math.min(
      chunks.length === 0 ? first : CHUNK_BYTES,
      limit - total
    )
    const chunk = Buffer.allocUnsafe(want)
    const read = readInto(chunk)
    if (read === 0) return Buffer.concat(chunks, total)
    chunks.push(chunk.subarray(0, read))
    total += read
    if (total > MAX_PLAN_BYTES) return undefined
  }
}

/** One read of standard input: waits while it is not ready; 0 at its end. */
function readStdinInto(chunk: Buffer): number {
  for (;;) {
    try {
      return readSync(0, chunk, 0, chunk.length, null)
    } catch (error) {
      const code = errorCode(error)
      if (code === 'EOF') return 0
      if (code !== 'EAGAIN') throw error
      pause(10)
    }
  }
}

/** Reads standard input to its end (`--plan -`), up to one byte over the limit. */
function readStdin(what: string): TextOrProblem {
  let bytes: Buffer | undefined
  try {
    bytes = readUpToLimit(readStdinInto)
  } catch (error) {
    return unreadable(error, STDIN_NAME, what, '')
  }
  if (bytes === undefined) {
    return { problem: tooLarge(STDIN_NAME, what), missing: false }
  }
  return decode(STDIN_NAME, bytes)
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
    const bytes = readUpToLimit(
      chunk => readSync(fd, chunk, 0, chunk.length, null),
      stat.isFile() ? stat.size + 1 : CHUNK_BYTES
    )
    if (bytes === undefined) {
      return { problem: tooLarge(file, what), missing: false }
    }
    return decode(file, bytes)
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
  const code = errorCode(error)
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

// Paths as the CLI and the headers of generated workflows give them.

/**
 * A relative path as recorded in a header: normalised, `/` separators, no
 * leading `./`, so `./a//b.yml` and `a/b.yml` record the same. Absolute
 * paths are kept as they are.
 */
export function normalizePath(file: string): string {
  if (path.isAbsolute(file)) return file
  return path.posix.normalize(file.split(path.sep).join('/'))
}

/** `file` with every link resolved; a missing tail is kept as written. */
export function realPath(file: string): string {
  const missing: string[] = []
  let at = path.resolve(file)
  for (;;) {
    try {
      return path.join(realpathSync(at), ...missing.reverse())
    } catch (error) {
      const code = errorCode(error)
      const parent = path.dirname(at)
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === at) {
        throw error
      }
      missing.push(path.basename(at))
      at = parent
    }
  }
}

/**
 * `file` as the process opens it: relative paths are taken from `cwd`, and
 * stay as given (for messages) when `cwd` is the process's own folder.
 */
export function resolveFrom(cwd: string, file: string): string {
  return path.isAbsolute(file) || path.resolve(cwd) === process.cwd()
    ? file
    : path.join(cwd, file)
}

// The one sequence every entry point runs: read the config and the plan,
// analyse the plan even when loading found errors (so one run reports every
// problem), and resolve the settings. CLI, plan, settle and check all use it.

export interface LoadPlanOptions {
  planPath: string
  /** No config at all when omitted (settle reads only the plan). */
  config?: { path: string; explicit: boolean }
  overrides?: { maxWorkers?: number; failFast?: boolean }
}

export interface LoadedPlan {
  /** The plan as read, when the file could be read and parsed at all. */
  plan?: Plan
  /** Present only when no problem is an error. */
  analysis?: PlanAnalysis
  settings: ParallelSettings
  /** Config, load and graph problems (errors and warnings), sorted by file, line and column. */
  problems: Problem[]
}

export function loadPlan(options: LoadPlanOptions): LoadedPlan {
  const config =
    options.config === undefined
      ? { settings: {}, problems: [] }
      : readConfigFile(options.config.path, options.config.explicit)
  const loaded = readPlanFile(options.planPath)
  const problems = [...config.problems, ...loaded.problems]
  const settings = resolveSettings(config.settings, options.overrides ?? {})
  if (loaded.plan === undefined) {
    return { settings, problems: sortProblems(problems) }
  }
  if (options.config !== undefined)
    applyDefaultRetries(loaded.plan.phases, settings)
  const analysed = analyzePlan(loaded.plan)
  const sorted = sortProblems([...problems, ...analysed.problems])
  const valid = !sorted.some(problem => problem.severity === 'error')
  return valid && analysed.analysis !== undefined
    ? {
        plan: loaded.plan,
        analysis: analysed.analysis,
        settings,
        problems: sorted
      }
    : { plan: loaded.plan, settings, problems: sorted }
}
