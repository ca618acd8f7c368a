// What each action's run(settings, ports) is given besides its settings:
// the GitHub port (src/github/ports.ts) and the files it reads. The entries
// (src/entries/) pass the real ones; tests pass plain objects. The log,
// outputs, annotations and the job summary go through @actions/core (via
// log.ts), which a test captures with jest.unstable_mockModule.
import {
  loadPlan,
  type LoadedPlan,
  type LoadPlanOptions
} from '../load-plan.js'
import type { CheckGitHub, SettleGitHub } from '../github/ports.js'
import { digestPlanFile } from '../plan-digest.js'

/** The plan and config files, as the plan and settle steps read them. */
export interface PlanFiles {
  loadPlan(options: LoadPlanOptions): LoadedPlan
  /** The plan file's digest (the state records it); throws when unreadable. */
  digest(file: string): string
}

export const realPlanFiles: PlanFiles = { loadPlan, digest: digestPlanFile }

export interface PlanPorts {
  files: PlanFiles
}

export interface SettlePorts {
  github: SettleGitHub
  files: PlanFiles
}

export interface CheckPorts {
  github: CheckGitHub
  files: PlanFiles
}
