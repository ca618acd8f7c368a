// Opening a file the edge will read: only a regular file (or a folder, for
// the caller to refuse), never blocking on a FIFO, and the file system's
// error codes said in words for messages.
import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs'

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
