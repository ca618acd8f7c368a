// What the runner tells every step about the run (not inputs: those are
// read by inputs.ts alone).

/** GITHUB_RUN_ATTEMPT: 1 for the first run, +1 for each re-run. */
export function runAttempt(): number {
  const raw = process.env['GITHUB_RUN_ATTEMPT'] ?? ''
  return /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : 1
}

/** GITHUB_WORKSPACE, where the repository is checked out. */
export function workspace(): string | undefined {
  const value = process.env['GITHUB_WORKSPACE'] ?? ''
  return value === '' ? undefined : value
}

/** RUNNER_NAME, the runner this job runs on (the jobs API's runner_name). */
export function runnerName(): string | undefined {
  const value = process.env['RUNNER_NAME'] ?? ''
  return value === '' ? undefined : value
}
