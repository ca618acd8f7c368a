// What each action's run(settings, ports) is given besides its settings:
// the GitHub port (src/github/comments.ts) and the files it reads. The entries
// (src/entries/) pass the real ones; tests pass plain objects. The log,
// outputs, annotations and the job summary go through @actions/core (via
// log.ts), which a test captures with jest.unstable_mockModule.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  loadPlan,
  type LoadedPlan,
  type LoadPlanOptions
} from '../repo/files.js'
import type { CheckGitHub } from '../github/comments.js'
import type { InputHashes } from '../plan/input-hash.js'
import type { PlanAnalysis } from '../plan/types.js'
import { digestPlanFile } from '../repo/passed.js'

/** The plan and config files, as the plan and settle steps read them. */
export interface PlanFiles {
  loadPlan(options: LoadPlanOptions): LoadedPlan
  /** The plan file's digest (the state records it); throws when unreadable. */
  digest(file: string): string
  /** A text file (estimates); throws the file system's error (code ENOENT, …). */
  readText(file: string): string
  /** Writes a text file, making its folder (durations-file). */
  writeText(file: string, text: string): void
}

export const realPlanFiles: PlanFiles = {
  loadPlan,
  digest: digestPlanFile,
  readText: file => readFileSync(file, 'utf8'),
  writeText: (file, text) => {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
    writeFileSync(file, text)
  }
}

/**
 * Every phase's input hash from the repository around `cwd` (src/repo/passed.ts,
 * which runs git); throws when it cannot be hashed. Default: the real one.
 */
type HashPlan = (analysis: PlanAnalysis, cwd: string) => Promise<InputHashes>

export interface PlanPorts {
  files: PlanFiles
  hashPlan?: HashPlan
}

export interface SettlePorts {
  files: PlanFiles
  hashPlan?: HashPlan
}

export interface CheckPorts {
  github: CheckGitHub
  files: PlanFiles
}

/** What a packed leg's phases run with: the step's environment and streams. */
interface LegProcess {
  env: Readonly<Record<string, string | undefined>>
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Aborted when the runner cancels the step. */
  signal: AbortSignal
}

export interface ExecPorts {
  files: PlanFiles
  process: LegProcess
}
