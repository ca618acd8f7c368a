// A job's plain-text log (GET …/actions/jobs/{id}/logs), for the markers of
// packed legs: GitHub answers 302 with a short-lived signed URL, read here
// without the token (it must never leave for another host). No log to read
// is an answer (`missing`), not an error: 404 while the job runs, for a job
// that never got a runner, or once logs expired; 403/410 likewise.
import { errorMessage } from '../error-parts.js'
import { GitHubApiError } from './api-error.js'
import type { Headers, RetryPolicy } from './retry.js'

/** A job's log, or why there is none. */
export type JobLog = { log: string } | { missing: string }

/** One answer of the API, as the jobs adapter hands it on. */
export interface Answer {
  status: number
  headers: Headers
  data: unknown
}

/** What reading a log needs: the API call (with its retries) and the clock. */
export interface LogReader {
  /** GET …/logs without following the redirect; throws GitHubApiError. */
  logAnswer: (jobId: number) => Promise<Answer>
  policy: RetryPolicy
  sleep: (ms: number) => Promise<void>
  log: (message: string) => void
  /** Called before each download is sent (retries included). */
  counted: () => void
}

/**
 * The log of job `jobId`. Network errors and 5xx are retried as every
 * request is, then thrown.
 */
export async function readJobLog(
  reader: LogReader,
  jobId: number
): Promise<JobLog> {
  let answer: Answer
  try {
    answer = await reader.logAnswer(jobId)
  } catch (error) {
    if (
      error instanceof GitHubApiError &&
      [401, 403, 404, 410].includes(error.status)
    ) {
      return {
        missing: `GitHub answered ${error.status} for the log of job ${jobId}`
      }
    }
    throw error
  }
  if (answer.status === 200 && typeof answer.data === 'string') {
    return { log: answer.data }
  }
  const location = answer.headers['location']
  if (answer.status < 300 || answer.status >= 400 || location === undefined) {
    return {
      missing: `GitHub answered ${answer.status} without a log location for job ${jobId}`
    }
  }
  return downloadLog(reader, String(location), jobId)
}

/** The log behind GitHub's redirect: no Authorization header, retried on 5xx and network errors. */
async function downloadLog(
  reader: LogReader,
  url: string,
  jobId: number
): Promise<JobLog> {
  for (let failures = 0; ;) {
    reader.counted()
    let status = 0
    let reason: string
    try {
      const response = await fetch(url, {
        redirect: 'follow',
        signal: AbortSignal.timeout(reader.policy.requestTimeoutMs)
      })
      status = response.status
      if (response.ok) return { log: await response.text() }
      reason = `${status}`
    } catch (error) {
      reason = `a network error (${errorMessage(error)})`
    }
    if (status !== 0 && status < 500 && status !== 429) {
      return {
        missing: `the log of job ${jobId} answered ${status} at its download address`
      }
    }
    failures++
    if (failures >= reader.policy.attempts) {
      throw new GitHubApiError(
        `Reading the log of job ${jobId} failed ${failures} times; the last answer was ${reason}.`,
        status
      )
    }
    const delay = reader.policy.baseDelayMs * 2 ** (failures - 1)
    reader.log(
      `The log of job ${jobId} answered ${reason}; retrying in ${delay / 1000} s.`
    )
    await reader.sleep(delay)
  }
}
