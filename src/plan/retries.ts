// Retries of a phase (`retries:`, default `parallel.retries`): how many
// times it may run, and the time its job must allow for them. Pure, O(1).
import type { ParallelSettings, Phase } from './types.js'

/** Runs a phase may get: 1 + its retries. */
export function maxAttempts(phase: Phase): number {
  return 1 + (phase.retries ?? 0)
}

/**
 * The minutes a job running the phase must allow (each attempt gets the
 * phase's timeout-minutes); undefined without a timeout.
 */
export function timeoutWithRetries(phase: Phase): number | undefined {
  return phase.timeoutMinutes === undefined
    ? undefined
    : phase.timeoutMinutes * maxAttempts(phase)
}

/**
 * The config's `parallel.retries` given to every phase without its own:
 * the plan step and exec read the config; settle, which needs no retries,
 * does not. Mutates the phases, once, when the plan is loaded.
 */
export function applyDefaultRetries(
  phases: Phase[],
  settings: Pick<ParallelSettings, 'retries'>
): void {
  if (settings.retries === undefined || settings.retries === 0) return
  for (const phase of phases) phase.retries ??= settings.retries
}
