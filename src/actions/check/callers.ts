// Advice of the check: the repository's workflows that call phases.yml
// without allowing `contents: read`, which GitHub would refuse at start-up.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Problem } from '../../plan/types.js'
import { callerPermissionProblems } from '../../render/caller-permissions.js'

/**
 * Workflows of the repository that call phases.yml without allowing
 * `contents: read` (GitHub would refuse their runs at start-up). A file that
 * cannot be read is passed over: this is advice, not the check's verdict.
 */
export function callersWithoutContentsRead(root: string): Problem[] {
  const dir = path.join(root, '.github', 'workflows')
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  const problems: Problem[] = []
  for (const name of names.sort()) {
    if (!/\.ya?ml$/.test(name)) continue
    let text: string
    try {
      text = readFileSync(path.join(dir, name), 'utf8')
    } catch {
      continue
    }
    problems.push(
      ...callerPermissionProblems(text, `.github/workflows/${name}`)
    )
  }
  return problems
}
