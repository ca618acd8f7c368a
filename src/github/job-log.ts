// A job's plain-text log (GET …/actions/jobs/{id}/logs), for the markers of
// packed legs: GitHub answers 302 with a short-lived signed URL, read here
// without the token (it must never leave for another host). No log to read
// is an answer (`missing`), not an error: 404 while the job runs, for a job
// that never got a runner, or once logs expired; 403/410 likewise.
import { GitHubApiError } from './api-error.js'
import { withRetries, type Headers, type RetryContext } from './retry.js'

/** A job's log, or why there is none. */
export type JobLog = { log: string } | { missing: string }

/** One answer of the API, as the jobs adapter hands it on. */
export interface Answer {
  status: number
  headers: Headers
  data: unknown
}

/** What reading a log needs: the API call, and the retries every request has. */
export interface LogReader extends RetryContext {
  /** GET …/logs without following the redirect; throws GitHubApiError. */
  logAnswer: (jobId: number) => Promise<Answer>
}

/** A download answer worth another try (5xx, 429), shaped as Octokit's errors are. */
class RetryableDownload extends Error {
  readonly response: { status: number; headers: Headers }
  constructor(response: Response) {
    super(`the download answered ${response.status}`)
    this.response = {
      status: response.status,
      headers: Object.fromEntries(response.headers)
    }
  }
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

/** The log behind GitHub's redirect: no Authorization header; 5xx, 429 and network errors retried as every request is. */
function downloadLog(
  reader: LogReader,
  url: string,
  jobId: number
): Promise<JobLog> {
  return withRetries(async signal => {
    const response = await fetch(url, { redirect: 'follow', signal })
    if (response.ok) return { log: await response.text() }
    if (response.status < 500 && response.status !== 429) {
      return {
        missing: `the log of job ${jobId} answered ${response.status} at its download address`
      }
    }
    throw new RetryableDownload(response)
  }, reader)
}
