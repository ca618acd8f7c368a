// What already passed, read from the repository: a store of passed phases
// (`--passed FILE`, at most MAX_STORE_BYTES, only a regular file), the
// plan's phases hashed from git (the git index, below) and which phases are
// unchanged (plan/input-hash.ts); and the plan file's digest. A store that cannot be used as data is
// ignored with a warning; one that cannot be read at all is a UsageError.
import { closeSync, readFileSync } from 'node:fs'
import { describeFsError, openRegularFile } from './files.js'
import { errorCode, errorMessage, UsageError } from '../plan/errors.js'
import {
  inputHashes,
  sortedEntries,
  type InputHashes,
  type IndexEntry
} from '../plan/input-hash.js'
import {
  MAX_STORE_BYTES,
  parsePassedStore,
  unchangedPhases
} from '../plan/passed-store.js'
import type { PlanAnalysis } from '../plan/types.js'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readlink } from 'node:fs/promises'
import path from 'node:path'

/**
 * Every phase's input hash, from the repository holding `cwd`. The hashes
 * are computed from the index's listing while git still checks the
 * working tree (an lstat of every tracked file, most of the time), and
 * computed again only when the tree has changes.
 */
export async function hashPlan(
  analysis: PlanAnalysis,
  cwd: string
): Promise<InputHashes> {
  const tracked = await readTrackedFiles(cwd, entries =>
    inputHashes(analysis, sortedEntries(entries))
  )
  return tracked.early ?? inputHashes(analysis, sortedEntries(tracked.files))
}

/** Warnings about patterns that take no tracked file (probably typos). */
export function unmatchedWarnings(hashes: InputHashes): string[] {
  return hashes.unmatched.map(({ phase, pattern }) =>
    phase === undefined
      ? `global_inputs pattern ${JSON.stringify(pattern)} matches no tracked file`
      : `inputs pattern ${JSON.stringify(pattern)} of phase ${phase} matches no tracked file`
  )
}

/**
 * The text of a store; undefined when there is none yet (a first run).
 * Anything but a regular file up to MAX_STORE_BYTES is a UsageError.
 */
export function readStoreText(
  file: string,
  shown: string,
  /** How messages name the store: the CLI's flag, or an action input. */
  name = '--passed',
  what = 'a store of passed phases'
): string | undefined {
  let fd: number | undefined
  try {
    const opened = openRegularFile(file)
    if ('kind' in opened) {
      throw new UsageError(`${name} ${shown} is ${opened.kind}, not a file`)
    }
    fd = opened.fd
    if (opened.stat.isDirectory()) {
      throw new UsageError(`${name} ${shown} is a folder, not a file`)
    }
    if (opened.stat.size > MAX_STORE_BYTES) {
      throw new UsageError(
        `${name} ${shown} is ${opened.stat.size} bytes; ${what} is at most ${MAX_STORE_BYTES} (8 MiB)`
      )
    }
    return readFileSync(fd, 'utf8')
  } catch (error) {
    if (error instanceof UsageError) throw error
    const code = errorCode(error)
    if (code === 'ENOENT') return undefined
    const reason = describeFsError(code)
    if (reason === undefined) throw error
    throw new UsageError(`${name} ${shown} ${reason}`)
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

export interface Unchanged {
  /** By plan index. */
  unchanged: boolean[]
  hashes: InputHashes
  /** Store and pattern warnings, for standard error. */
  warnings: string[]
}

/** Which phases `--passed FILE` makes unchanged. */
export async function readUnchanged(
  analysis: PlanAnalysis,
  file: string,
  shown: string,
  cwd: string
): Promise<Unchanged> {
  const text = readStoreText(file, shown)
  const hashes = await hashPlan(analysis, cwd)
  const { phases } = analysis.plan
  const ids = phases.map(phase => phase.id)
  const warnings = unmatchedWarnings(hashes)
  if (text === undefined) {
    warnings.push(
      `${shown}: not found; no phase counts as unchanged (a first run has no store)`
    )
    return { unchanged: ids.map(() => false), hashes, warnings }
  }
  const store = parsePassedStore(text, shown, ids)
  warnings.push(...store.warnings)
  const unchanged = unchangedPhases({
    ids,
    done: phases.map(phase => phase.done),
    depsOf: analysis.depsOf,
    order: analysis.waves.flat(),
    hashes: hashes.hashes,
    stored: store.hashes
  })
  return { unchanged, hashes, warnings }
}

// The git adapter of the input hashes: the tracked files of the repository
// around a folder, with git's content id of each, as the working tree has
// them. A dirty tree is hashed as it is, not refused:
// - `git ls-files -s -z` gives every tracked path with the id the index
//   holds (staged changes included): git reads no file for it;
// - `git diff-files -z` (run at the same time) names the tracked files the
//   working tree changed: a deleted file is left out, a changed one gets
//   the id `git add` would give it (`git hash-object --stdin-paths`, which
//   applies the same filters; a changed symbolic link is hashed here as git
//   hashes one, from its target), so a tree hashes the same before and
//   after it is committed;
// - untracked files are not inputs (git add them), submodules count by the
//   commit the index records, and an index with unmerged paths is refused.
// Two git processes side by side on a clean tree (two more when files
// changed: rev-parse for the top folder, hash-object for the changed
// files), none of them reading more than the changed files; the hashes are
// computed from the listing while diff-files still runs, and again only
// when it names a change. Nothing here runs at import.

/** A repository that cannot be hashed; the message says why and what to do. */
export class GitIndexError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GitIndexError'
  }
}

/** A git process that could not start or failed. */
class GitRunFailed extends Error {
  constructor(
    message: string,
    /** `ENOENT` when there is no git; else its exit code. */
    readonly code: unknown,
    readonly stderr: string
  ) {
    super(message)
    this.name = 'GitRunFailed'
  }
}

/** What git printed on a failure, cut for a message. */
function stderrOf(error: unknown): string {
  if (error instanceof GitRunFailed && error.stderr.trim() !== '') {
    const text = error.stderr.trim()
    return text.length > 300 ? text.slice(0, 297) + '...' : text
  }
  return errorMessage(error)
}

function git(
  args: readonly string[],
  cwd: string,
  input?: string
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd, maxBuffer: 1024 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout)
        else reject(new GitRunFailed(error.message, error.code, stderr))
      }
    )
    if (input !== undefined) child.stdin?.end(input)
  })
}

/** The repository's top folder, or a GitIndexError saying there is none. */
async function topLevel(cwd: string): Promise<string> {
  try {
    return (await git(['rev-parse', '--show-toplevel'], cwd)).trim()
  } catch (error) {
    if (error instanceof GitRunFailed && error.code === 'ENOENT') {
      throw new GitIndexError(
        'git was not found: input hashes are read from git (install git, or put it on PATH)'
      )
    }
    throw new GitIndexError(
      `${cwd} is not in a git repository (${stderrOf(error)}): input hashes are read from git's index; run from a clone of the repository`
    )
  }
}

/** `git ls-files -s -z`: `<mode> <id> <stage>\t<path>` records. */
function parseLsFiles(text: string): IndexEntry[] {
  const entries: IndexEntry[] = []
  const unmerged: string[] = []
  for (const record of text.split('\0')) {
    if (record === '') continue
    // Fixed places (`%06o %s %d\t`), cheaper than splitting 50k heads.
    const tab = record.indexOf('\t')
    const mode = record.slice(0, 6)
    const id = record.slice(7, tab - 2)
    const stage = record.charAt(tab - 1)
    const file = record.slice(tab + 1)
    if (stage !== '0') {
      if (unmerged.at(-1) !== file) unmerged.push(file)
      continue
    }
    entries.push({ path: file, mode, id })
  }
  if (unmerged.length > 0) {
    const shown = unmerged.slice(0, 3).join(', ')
    const more = unmerged.length > 3 ? ` and ${unmerged.length - 3} more` : ''
    throw new GitIndexError(
      `the index has unmerged paths (${shown}${more}): finish or abort the merge before hashing`
    )
  }
  return entries
}

/** One change `git diff-files -z` reports. */
interface WorkingChange {
  path: string
  /** The working tree's mode: `000000` when the file is gone. */
  mode: string
  status: string
}

/** `git diff-files -z`: `:<old> <new> <id> <id> <status>\0<path>\0`. */
function parseDiffFiles(text: string): WorkingChange[] {
  const changes: WorkingChange[] = []
  const fields = text.split('\0')
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const head = fields[i] ?? ''
    const file = fields[i + 1] ?? ''
    if (!head.startsWith(':')) break
    const [, mode = '', , , status = ''] = head.slice(1).split(' ')
    changes.push({ path: file, mode, status: status.slice(0, 1) })
  }
  return changes
}

/** A path for `--stdin-paths`: C-quoted when a line could not carry it. */
function stdinPath(file: string): string {
  if (!/[\n"\\]/.test(file)) return file
  return `"${file.replace(/[\\"]/g, c => `\\${c}`).replace(/\n/g, '\\n')}"`
}

/** git's blob id of `content`, in the repository's hash (by the ids' length). */
function blobId(content: Buffer, idLength: number): string {
  return createHash(idLength === 64 ? 'sha256' : 'sha1')
    .update(`blob ${content.length}\0`)
    .update(content)
    .digest('hex')
}

/** The ids `git add` would give the changed files. */
async function workingIds(
  root: string,
  changes: readonly WorkingChange[],
  idLength: number
): Promise<Map<string, string>> {
  const ids = new Map<string, string>()
  const files = changes.filter(c => c.mode !== '120000')
  for (const link of changes.filter(c => c.mode === '120000')) {
    const target = await readlink(path.join(root, link.path), {
      encoding: 'buffer'
    })
    ids.set(link.path, blobId(target, idLength))
  }
  if (files.length === 0) return ids
  const out = await git(
    ['hash-object', '--stdin-paths'],
    root,
    files.map(c => stdinPath(c.path) + '\n').join('')
  )
  const lines = out.split('\n')
  files.forEach((change, i) => {
    const id = lines[i]?.trim() ?? ''
    if (!/^[0-9a-f]+$/.test(id)) {
      throw new GitIndexError(`git hash-object gave no id for ${change.path}`)
    }
    ids.set(change.path, id)
  })
  return ids
}

interface TrackedFiles<T> {
  /** Every tracked file as the working tree has it, in git's order. */
  files: IndexEntry[]
  /** `early`'s answer, kept only when the working tree had no change. */
  early?: T
}

/** A promise that never rejects: `error` set instead. */
type Settled = { text: string } | { error: unknown }

function settle(run: Promise<string>): Promise<Settled> {
  return run.then(
    text => ({ text }),
    (error: unknown) => ({ error })
  )
}

/** A failed listing: not a repository (or no git, topLevel says), or else. */
async function listingFailed(cwd: string, error: unknown): Promise<never> {
  await topLevel(cwd)
  throw new GitIndexError(
    `git cannot list the tracked files of ${cwd}: ${stderrOf(error)}`
  )
}

/**
 * The tracked files of the repository holding `cwd`, as they are now.
 * `early`, when given, runs on the index's listing while `git diff-files`
 * still looks at the working tree; its answer is returned when that finds
 * no change, so a clean checkout costs about the slower git process alone.
 */
export async function readTrackedFiles<T = never>(
  cwd: string,
  early?: (entries: IndexEntry[]) => T
): Promise<TrackedFiles<T>> {
  // Paths from the top (`:/`, `--full-name`; diff-files gives them so,
  // `--no-relative`), whatever folder of the repository `cwd` is. Both
  // start now; neither promise is left to reject unheard.
  const listing = settle(
    git(['ls-files', '-s', '-z', '--full-name', '--', ':/'], cwd)
  )
  const checking = settle(
    git(['diff-files', '-z', '--no-relative', '--ignore-submodules=all'], cwd)
  )
  const listed = await listing
  if ('error' in listed) {
    await checking
    return listingFailed(cwd, listed.error)
  }
  let entries: IndexEntry[]
  try {
    entries = parseLsFiles(listed.text)
  } catch (error) {
    await checking
    throw error
  }
  const answer = early?.(entries)
  const checked = await checking
  if ('error' in checked) return listingFailed(cwd, checked.error)
  const changes = parseDiffFiles(checked.text).filter(c => c.status !== 'U')
  if (changes.length === 0) {
    return answer === undefined
      ? { files: entries }
      : { files: entries, early: answer }
  }
  const gone = new Set(
    changes
      .filter(c => c.mode === '000000' || c.status === 'D')
      .map(c => c.path)
  )
  const rest = changes.filter(c => !gone.has(c.path))
  const idLength = entries[0]?.id.length ?? 40
  let ids: Map<string, string>
  try {
    ids = await workingIds(await topLevel(cwd), rest, idLength)
  } catch (error) {
    if (error instanceof GitIndexError) throw error
    throw new GitIndexError(
      `git cannot hash the changed files of ${cwd}: ${stderrOf(error)}`
    )
  }
  const modes = new Map(rest.map(c => [c.path, c.mode]))
  const files: IndexEntry[] = []
  for (const entry of entries) {
    if (gone.has(entry.path)) continue
    const id = ids.get(entry.path)
    files.push(
      id === undefined
        ? entry
        : { path: entry.path, mode: modes.get(entry.path) ?? entry.mode, id }
    )
  }
  return { files }
}

// The plan's fingerprint in the run state: settle re-reads the plan from the
// checkout and refuses one whose text changed since the plan step.

/** Hex characters of sha256 kept: 64 bits, plenty to notice an edit. */
const DIGEST_LENGTH = 16

function digestText(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex').slice(0, DIGEST_LENGTH)
}

/** The digest of a plan file's bytes (throws when the file cannot be read). */
export function digestPlanFile(path: string): string {
  return digestText(readFileSync(path))
}
