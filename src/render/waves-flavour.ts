// The parts of the waves workflows (.github/workflows/phases.yml and
// example.yml) that every job builder shares: the actions and versions they
// use, the timeouts, and the Flavour (what differs between the reusable
// workflow and the copyable example).

/** Where the reusable workflow finds the actions (the caller's checkout is not ours). */
export const PLAN_ACTION_REF = 'phase-matrix/phase-matrix@v1'
export const SETTLE_ACTION_REF = 'phase-matrix/phase-matrix/settle@v1'
export const EXEC_ACTION_REF = 'phase-matrix/phase-matrix/exec@v1'
export const CACHE_RESTORE_REF = 'actions/cache/restore@v4'
export const CACHE_SAVE_REF = 'actions/cache/save@v4'

/** Where the reusable workflow keeps learned durations (input learn-durations). */
export const DURATIONS_FILE = '.phase-matrix/durations.json'
/** Where the reusable workflow keeps the store of passed phases (input cache-passed). */
export const PASSED_FILE = '.phase-matrix/passed.json'
export const CHECKOUT_ACTION_REF = 'actions/checkout@v5'

/** GitHub's own default for a job without `timeout-minutes`. */
export const DEFAULT_LEG_TIMEOUT_MINUTES = 360
/** Plan, settle and report only read and call the API: minutes, not hours. */
export const CONTROL_TIMEOUT_MINUTES = 10

/** What differs between the reusable workflow and the copyable example. */
export interface Flavour {
  /** Comment block at the top, without the `# ` prefixes. */
  header: string[]
  name: string
  /** The `on:` mapping's lines, indented below `on:`. */
  trigger: string[]
  planAction: string
  settleAction: string
  execAction: string
  /** The plan path as the exec step gets it. */
  planPath: string
  /** The actions/cache loop of learned durations (input learn-durations). */
  learn: boolean
  /** `with:` lines of the plan step, indented below `with:`. */
  planWith: string[]
  /** More `with:` lines of the exec step (the reusable workflow's leg-concurrency). */
  execWith: string[]
  /** runs-on of our own jobs, and of a leg whose phase names none. */
  runsOn: string
  /** A `setup` step (the reusable workflow's input) before each phase. */
  setup: boolean
  waves: number
}

export function checkoutStep(): string[] {
  return [
    `      - uses: ${CHECKOUT_ACTION_REF}`,
    '        with:',
    '          persist-credentials: false'
  ]
}
