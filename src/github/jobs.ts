// The REST adapter: every job of one workflow run, all attempts, through
// @actions/github's Octokit. Octokit there retries nothing, so the retries
// live here, once: network errors and 5xx with exponential back-off, 429 and
// secondary rate limits after the wait GitHub asks for (within a cap), and a
// clear message for what cannot be retried (401, 403, 404). The token is
// never logged: messages carry GitHub's message and the status only.
// One listing costs ceil(jobs / 100) requests when nothing fails.
import { GitHubApiError } from './api-error.js'
import { apiBaseUrl, githubClient } from './client.js'
import type { RunJobs } from './ports.js'

/** One job of the run as the API lists it (the fields we read). */
export interface WorkflowJob {
  id: number
  run_id: number
  run_attempt: number
  name: string
  status: string
  conclusion: string | null
  /** When the job was queued (the wait for a runner ends at started_at). */
  created_at?: string | null
  started_at: string | null
  completed_at: string | null
  /** The runner that picked the job up (RUNNER_NAME there); null before. */
  runner_name: string | null
}

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

/** Most pages we follow: 1,000 pages of 100 jobs. */
const MAX_PAGES = 1000

export interface JobsApiOptions {
  token: string
  /** API root (the run context's GITHUB_API_URL); github.com's when not given. */
  baseUrl?: string
  owner: string
  repo: string
  runId: number
  retry?: Partial<RetryPolicy>
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  log?: (message: string) => void
}

interface Answer {
  status: number
  headers: Record<string, string | number | undefined>
  data: unknown
}

type Request = (
  route: string,
  parameters?: Record<string, unknown>
) => Promise<Answer>

/** What went wrong with one request, read off Octokit's error. */
interface Failure {
  /** 0 when no answer came (network error, timeout). */
  status: number
  headers: Record<string, string | number | undefined>
  message: string
}

function failureOf(error: unknown): Failure {
  const message = error instanceof Error ? error.message : String(error)
  if (typeof error !== 'object' || error === null) {
    return { status: 0, headers: {}, message }
  }
  const response = (
    error as { response?: { status?: unknown; headers?: unknown } }
  ).response
  if (response === undefined || typeof response.status !== 'number') {
    // Octokit reports a failed fetch as status 500 without a response.
    return { status: 0, headers: {}, message }
  }
  const headers =
    typeof response.headers === 'object' && response.headers !== null
      ? (response.headers as Record<string, string | number | undefined>)
      : {}
  return { status: response.status, headers, message }
}

function header(failure: Failure, name: string): string | undefined {
  const value = failure.headers[name]
  return value === undefined ? undefined : String(value)
}

/** How long GitHub asks us to wait, or undefined when this is no rate limit. */
export function rateLimitWaitMs(
  status: number,
  headers: Record<string, string | number | undefined>,
  message: string,
  now: number
): number | undefined {
  if (status !== 403 && status !== 429) return undefined
  const failure: Failure = { status, headers, message }
  const retryAfter = header(failure, 'retry-after')
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter.trim())) {
    return Number(retryAfter.trim()) * 1000
  }
  if (header(failure, 'x-ratelimit-remaining') === '0') {
    const reset = Number(header(failure, 'x-ratelimit-reset'))
    if (Number.isFinite(reset)) return Math.max(0, reset * 1000 - now)
  }
  // A secondary limit without headers: GitHub says to wait at least a minute.
  if (status === 429 || /secondary rate limit/i.test(message)) return 60_000
  return undefined
}

/** `<url>; rel="next"` from a Link header. */
export function nextLink(link: string | undefined): string | undefined {
  if (link === undefined) return undefined
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim())
    if (match?.[2]?.split(/\s+/).includes('next') === true) return match[1]
  }
  return undefined
}

function isJob(value: unknown): value is WorkflowJob {
  if (typeof value !== 'object' || value === null) return false
  const job = value as Record<string, unknown>
  return (
    typeof job['id'] === 'number' &&
    typeof job['name'] === 'string' &&
    typeof job['run_attempt'] === 'number' &&
    typeof job['status'] === 'string' &&
    (job['conclusion'] === null || typeof job['conclusion'] === 'string')
  )
}

function parsePage(data: unknown): WorkflowJob[] {
  const jobs = (data as { jobs?: unknown } | null)?.jobs
  if (!Array.isArray(jobs)) {
    throw new GitHubApiError(
      `GitHub's list of jobs came back without a "jobs" array: ${JSON.stringify(data).slice(0, 120)}`,
      200
    )
  }
  return jobs.filter(isJob).map(job => ({
    id: job.id,
    run_id: job.run_id,
    run_attempt: job.run_attempt,
    name: job.name,
    status: job.status,
    conclusion: job.conclusion,
    created_at: typeof job.created_at === 'string' ? job.created_at : null,
    started_at: job.started_at ?? null,
    completed_at: job.completed_at ?? null,
    runner_name: typeof job.runner_name === 'string' ? job.runner_name : null
  }))
}

export class JobsApi implements RunJobs {
  /** Requests sent so far, retries included. */
  requestCount = 0
  private readonly request: Request
  private readonly policy: RetryPolicy
  private readonly sleep: (ms: number) => Promise<void>
  private readonly now: () => number
  private readonly log: (message: string) => void
  private readonly origin: string

  constructor(private readonly options: JobsApiOptions) {
    const baseUrl = apiBaseUrl(options)
    const octokit = githubClient({ token: options.token, baseUrl })
    this.request = (route, parameters) =>
      octokit.request(route, parameters) as Promise<Answer>
    this.origin = new URL(baseUrl).origin
    this.policy = { ...DEFAULT_RETRY, ...options.retry }
    this.sleep =
      options.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms)))
    this.now = options.now ?? Date.now
    this.log = options.log ?? (() => undefined)
  }

  private describeRun(): string {
    const { owner, repo, runId } = this.options
    return `run ${runId} of ${owner}/${repo}`
  }

  /** The message for an answer no retry can fix. */
  private fatal(failure: Failure): GitHubApiError {
    const run = this.describeRun()
    const said =
      failure.message === '' ? '' : ` GitHub said: ${failure.message}`
    switch (failure.status) {
      case 401:
        return new GitHubApiError(
          `GitHub refused the token (401) while listing the jobs of ${run}. ` +
            "Pass a valid token in 'github-token' (the default is ${{ github.token }})." +
            said,
          401
        )
      case 403:
        return new GitHubApiError(
          `GitHub refused to list the jobs of ${run} (403): the token lacks permission. ` +
            'Give the job `permissions: actions: read` (with any other permissions it needs), ' +
            "or pass a token that can read this repository's Actions in 'github-token'." +
            said,
          403
        )
      case 404:
        return new GitHubApiError(
          `GitHub found no ${run} (404): the run id is wrong or the token cannot see the repository. ` +
            "A token from another repository needs `actions: read` on this one (input 'github-token')." +
            said,
          404
        )
      default:
        return new GitHubApiError(
          `GitHub answered ${failure.status} while listing the jobs of ${run}.${said}`,
          failure.status
        )
    }
  }

  /** One GET with our retries; throws GitHubApiError when it cannot succeed. */
  private async get(
    route: string,
    parameters: Record<string, unknown>,
    request: Record<string, unknown> = {}
  ): Promise<Answer> {
    let failures = 0
    let rateLimitWaits = 0
    for (;;) {
      this.requestCount++
      try {
        return await this.request(route, {
          ...parameters,
          request: {
            ...request,
            signal: AbortSignal.timeout(this.policy.requestTimeoutMs)
          }
        })
      } catch (error) {
        const failure = failureOf(error)
        const wait = rateLimitWaitMs(
          failure.status,
          failure.headers,
          failure.message,
          this.now()
        )
        if (wait !== undefined) {
          if (wait > this.policy.maxRateLimitWaitMs) {
            throw new GitHubApiError(
              `GitHub's rate limit (${failure.status}) asks us to wait ${Math.ceil(wait / 1000)} s ` +
                `before listing the jobs of ${this.describeRun()}; we wait at most ` +
                `${this.policy.maxRateLimitWaitMs / 1000} s. Re-run the failed jobs later, or use a token with its own rate limit in 'github-token'.`,
              failure.status
            )
          }
          if (rateLimitWaits >= this.policy.rateLimitRetries) {
            throw new GitHubApiError(
              `GitHub kept rate-limiting (${failure.status}) the jobs listing of ${this.describeRun()} ` +
                `after ${rateLimitWaits} wait(s). Re-run the failed jobs later.`,
              failure.status
            )
          }
          rateLimitWaits++
          this.log(
            `GitHub rate limit (${failure.status}): waiting ${Math.ceil(wait / 1000)} s as it asks (wait ${rateLimitWaits} of at most ${this.policy.rateLimitRetries}).`
          )
          await this.sleep(wait)
          continue
        }
        const retryable = failure.status === 0 || failure.status >= 500
        if (!retryable) throw this.fatal(failure)
        failures++
        const what =
          failure.status === 0
            ? `a network error (${failure.message})`
            : `${failure.status}`
        if (failures >= this.policy.attempts) {
          throw new GitHubApiError(
            `Listing the jobs of ${this.describeRun()} failed ${failures} times; the last answer was ${what}.`,
            failure.status
          )
        }
        const delay = this.policy.baseDelayMs * 2 ** (failures - 1)
        this.log(
          `GitHub answered ${what}; retrying in ${delay / 1000} s (try ${failures + 1} of ${this.policy.attempts}).`
        )
        await this.sleep(delay)
      }
    }
  }

  /** Every job of the run, every attempt, following Link rel="next" to the last page. */
  async listJobs(): Promise<WorkflowJob[]> {
    const { owner, repo, runId } = this.options
    const jobs: WorkflowJob[] = []
    let answer = await this.get(
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
      { owner, repo, run_id: runId, filter: 'all', per_page: 100 }
    )
    for (let page = 1; ; page++) {
      jobs.push(...parsePage(answer.data))
      const next = nextLink(
        answer.headers['link'] === undefined
          ? undefined
          : String(answer.headers['link'])
      )
      if (next === undefined) return jobs
      if (page >= MAX_PAGES) {
        throw new GitHubApiError(
          `The jobs of ${this.describeRun()} span more than ${MAX_PAGES} pages; refusing to read further.`,
          200
        )
      }
      // The token goes only to the API we were given.
      if (new URL(next).origin !== this.origin) {
        throw new GitHubApiError(
          `GitHub's next page of jobs points to ${new URL(next).origin}, not ${this.origin}; refusing to send the token there.`,
          200
        )
      }
      answer = await this.get(`GET ${next}`, {})
    }
  }

  /**
   * The plain-text log of job `jobId` (GET …/actions/jobs/{id}/logs): GitHub
   * answers 302 with a short-lived signed URL, read here without the token
   * (it must never leave for another host). `{ missing }` with the reason
   * when there is no log to read: 404 while the job runs, for a job that
   * never got a runner, or once logs expired; 403/410 likewise. Network
   * errors and 5xx are retried as every request is, then thrown.
   */
  async jobLog(jobId: number): Promise<{ log: string } | { missing: string }> {
    const { owner, repo } = this.options
    let answer: Answer
    try {
      answer = await this.get(
        'GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs',
        { owner, repo, job_id: jobId },
        { redirect: 'manual' }
      )
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
    return this.fetchLog(String(location), jobId)
  }

  /** The log behind GitHub's redirect: no Authorization header, retried on 5xx and network errors. */
  private async fetchLog(
    url: string,
    jobId: number
  ): Promise<{ log: string } | { missing: string }> {
    for (let failures = 0; ;) {
      this.requestCount++
      let status = 0
      let reason: string
      try {
        const response = await fetch(url, {
          redirect: 'follow',
          signal: AbortSignal.timeout(this.policy.requestTimeoutMs)
        })
        status = response.status
        if (response.ok) return { log: await response.text() }
        reason = `${status}`
      } catch (error) {
        reason = `a network error (${error instanceof Error ? error.message : String(error)})`
      }
      if (status !== 0 && status < 500 && status !== 429) {
        return {
          missing: `the log of job ${jobId} answered ${status} at its download address`
        }
      }
      failures++
      if (failures >= this.policy.attempts) {
        throw new GitHubApiError(
          `Reading the log of job ${jobId} failed ${failures} times; the last answer was ${reason}.`,
          status
        )
      }
      const delay = this.policy.baseDelayMs * 2 ** (failures - 1)
      this.log(
        `The log of job ${jobId} answered ${reason}; retrying in ${delay / 1000} s.`
      )
      await this.sleep(delay)
    }
  }
}
