// Runs a bundled action (dist/…/index.js) as the runner does: a node
// process with INPUT_* variables (hyphens kept), a fresh GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY file, and the run's GITHUB_* context. Asynchronous, so
// a local test server in the same process keeps answering.
import { spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..'
)
export const PLAN_BUNDLE = path.join(REPO_ROOT, 'dist/index.js')
export const SETTLE_BUNDLE = path.join(REPO_ROOT, 'dist/settle/index.js')
export const EXEC_BUNDLE = path.join(REPO_ROOT, 'dist/exec/index.js')

/**
 * The last settle's outputs on the seed's "Error Handling" example when
 * frontend-components fails: the same verdict in-process and as bundles.
 */
export const SEED_FAILURE_OUTPUTS = {
  'has-work': 'false',
  matrix: '{"include":[]}',
  succeeded: '["database-schema","api-endpoints"]',
  failed: '["frontend-components"]',
  skipped: '["frontend-state","integration"]'
}

export interface ActionRun {
  status: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
}

export interface RunActionOptions {
  inputs?: Record<string, string>
  env?: Record<string, string>
  cwd: string
}

/** Reads `name<<delimiter … delimiter` entries of a GITHUB_OUTPUT file. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '')
    if (match === null) continue
    const [, name, delimiter] = match as unknown as [string, string, string]
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== delimiter; i++) {
      value.push(lines[i] ?? '')
    }
    outputs[name] = value.join('\n')
  }
  return outputs
}

export function requireBundle(bundle: string): void {
  if (!existsSync(bundle)) {
    throw new Error(
      `${bundle} is missing: run \`npm run build\` before these tests`
    )
  }
}

export async function runAction(
  bundle: string,
  options: RunActionOptions
): Promise<ActionRun> {
  requireBundle(bundle)
  const dir = mkdtempSync(path.join(tmpdir(), 'phase-matrix-step-'))
  const outputFile = path.join(dir, 'output')
  const summaryFile = path.join(dir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: options.cwd,
    GITHUB_REPOSITORY: 'octo/shop',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
    ...options.env
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) {
    env[`INPUT_${name.toUpperCase()}`] = value
  }
  const child = spawn(process.execPath, [bundle], { cwd: options.cwd, env })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const status = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code => {
      resolve(code)
    })
  })
  return {
    status,
    stdout,
    stderr,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8')
  }
}

/** A workspace folder holding the given files. */
export function workspaceWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'phase-matrix-ws-'))
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name)
    const folder = path.dirname(file)
    mkdirSync(folder, { recursive: true })
    writeFileSync(file, text)
  }
  return dir
}
