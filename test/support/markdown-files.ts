// The project's own Markdown documents (not node_modules, not fixtures).
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'

const FOLDERS = ['.', 'docs', 'settle', 'check', 'exec']

/** Paths relative to the project root, sorted. */
export function markdownFiles(): string[] {
  const files: string[] = []
  for (const folder of FOLDERS) {
    if (!existsSync(folder)) continue
    for (const name of readdirSync(folder)) {
      if (name.endsWith('.md')) files.push(path.join(folder, name))
    }
  }
  return files.sort()
}
