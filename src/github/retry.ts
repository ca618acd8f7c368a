// Retries of one request of the jobs API (jobs.ts) or of a job log's
// download (job-log.ts), in one place:
// @actions/github's Octokit retries nothing. Network errors and 5xx are retried with exponential
// back-off; 429 and secondary rate limits after the wait GitHub asks for
// (within a cap); anything else is for the caller to word (fatal). The
// token is never logged: messages carry GitHub's message and the status.
import { errorMessage } from '../error-parts.js'
import { GitHubApiError } from './api-error.js'

export interface RetryPolicy {
  /** Tries per request in all, for network errors and 5xx. */
  attempts: number
  /** Back-off before the first retry; doubles for each further one. */
  baseDelayMs: number
  /** Longest wait a rate limit may ask for; beyond it we give up. */
  maxRateLimitWaitMs: number
  /** Rate-limit waits per request before giving up. */
  rateLimitRetries: number
  /** A request that takes longer counts as a network error. */
  requestTimeoutMs: number
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 1000,
  maxRateLimitWaitMs: 60_000,
  rateLimitRetries: 3,
  requestTimeoutMs: 30_000
}

export type Headers = Record<string, string | number | undefined>

/** What went wrong with one request, read off Octokit's error. */
export interface Failure {
  /** 0 when no answer came (network error, timeout). */
  status: number
  headers: Headers
  message: string
}

function isHeaders(value: unknown): value is Headers {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every(
      item =>
        item === undefined ||
        typeof item === 'string' ||
        typeof item === 'number'
    )
  )
}

export function failureOf(error: unknown): Failure {
  const message = errorMessage(error)
  const response =
    typeof error === 'object' && error !== null && 'response' in error
      ? error.response
      : undefined
  if (
    typeof response !== 'object' ||
    response === null ||
    !('status' in response) ||
    typeof response.status !== 'number'
  ) {
    // Octokit reports a failed fetch as status 500 without a response.
    return { status: 0, headers: {}, message }
  }
  const headers =
    'headers' in response && isHeaders(response.headers) ? response.headers : {}
  return { status: response.status, headers, message }
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name]
  return value === undefined ? undefined : String(value)
}

/** How long GitHub asks us to wait, or undefined when this is no rate limit. */
export function rateLimitWaitMs(
  status: number,
  headers: Headers,
  message: string,
  now: number
): number | undefined {
  if (status !== 403 && status !== 429) return undefined
  const retryAfter = header(headers, 'retry-after')
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter.trim())) {
    return Number(retryAfter.trim()) * 1000
  }
  if (header(headers, 'x-ratelimit-remaining') === '0') {
    const reset = Number(header(headers, 'x-ratelimit-reset'))
    if (Number.isFinite(reset)) return Math.max(0, reset * 1000 - now)
  }
  // A secondary limit without headers: GitHub says to wait at least a minute.
  if (status === 429 || /secondary rate limit/i.test(message)) return 60_000
  return undefined
}

/** What the retries need besides the request: the policy, the clock, the log. */
export interface RetryContext {
  policy: RetryPolicy
  sleep: (ms: number) => Promise<void>
  now: () => number
  log: (message: string) => void
  /** Called before each request is sent (retries included). */
  counted: () => void
  /** The run whose jobs are read, for messages: "run 1 of octo/shop". */
  run: string
  /** What the request does, for messages: "listing the jobs of run 1 of octo/shop". */
  task: string
  /** The error for an answer no retry can fix (401, 403, 404, …). */
  fatal: (failure: Failure) => GitHubApiError
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** `send` with our retries; throws GitHubApiError when it cannot succeed. */
export async function withRetries<T>(
  send: (signal: AbortSignal) => Promise<T>,
  context: RetryContext
): Promise<T> {
  const { policy } = context
  let failures = 0
  let rateLimitWaits = 0
  for (;;) {
    context.counted()
    try {
      return await send(AbortSignal.timeout(policy.requestTimeoutMs))
    } catch (error) {
      const failure = failureOf(error)
      const wait = rateLimitWaitMs(
        failure.status,
        failure.headers,
        failure.message,
        context.now()
      )
      if (wait !== undefined) {
        if (wait > policy.maxRateLimitWaitMs) {
          throw new GitHubApiError(
            `GitHub's rate limit (${failure.status}) asks us to wait ${Math.ceil(wait / 1000)} s ` +
              `before ${context.task}; we wait at most ` +
              `${policy.maxRateLimitWaitMs / 1000} s. Re-run the failed jobs later, or use a token with its own rate limit in 'github-token'.`,
            failure.status
          )
        }
        if (rateLimitWaits >= policy.rateLimitRetries) {
          throw new GitHubApiError(
            `GitHub kept rate-limiting (${failure.status}) ${context.task} ` +
              `after ${rateLimitWaits} wait(s). Re-run the failed jobs later.`,
            failure.status
          )
        }
        rateLimitWaits++
        context.log(
          `GitHub rate limit (${failure.status}): waiting ${Math.ceil(wait / 1000)} s as it asks (wait ${rateLimitWaits} of at most ${policy.rateLimitRetries}).`
        )
        await context.sleep(wait)
        continue
      }
      const retryable = failure.status === 0 || failure.status >= 500
      if (!retryable) throw context.fatal(failure)
      failures++
      const what =
        failure.status === 0
          ? `a network error (${failure.message})`
          : `${failure.status}`
      if (failures >= policy.attempts) {
        throw new GitHubApiError(
          `${capitalized(context.task)} failed ${failures} times; the last answer was ${what}.`,
          failure.status
        )
      }
      const delay = policy.baseDelayMs * 2 ** (failures - 1)
      context.log(
        `${capitalized(context.task)}: GitHub answered ${what}; retrying in ${delay / 1000} s (try ${failures + 1} of ${policy.attempts}).`
      )
      await context.sleep(delay)
    }
  }
}
