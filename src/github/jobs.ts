// The REST adapter: every job of one workflow run, all attempts, through
// @actions/github's Octokit, with the retries of retry.ts and a clear
// message for what cannot be retried (401, 403, 404); and a job's log
// (job-log.ts). The token is never logged. One listing costs
// ceil(jobs / 100) requests when nothing fails.
import { z } from 'zod'
import { GitHubApiError } from './api-error.js'
import { apiBaseUrl, githubClient, type GitHubClient } from './client.js'
import { readJobLog, type Answer, type JobLog } from './job-log.js'
import type { RunJobs } from './ports.js'
import {
  DEFAULT_RETRY,
  withRetries,
  type Failure,
  type RetryContext,
  type RetryPolicy
} from './retry.js'

/** A timestamp or name GitHub may leave out: null when absent or not text. */
const optionalText = z.string().nullable().catch(null)

/** One job of the run as the API lists it (the fields we read). */
const workflowJobSchema = z.object({
  id: z.number(),
  run_id: z.number(),
  run_attempt: z.number(),
  name: z.string(),
  status: z.string(),
  conclusion: z.string().nullable(),
  /** When the job was queued (the wait for a runner ends at started_at). */
  created_at: optionalText.optional(),
  started_at: optionalText,
  completed_at: optionalText,
  /** The runner that picked the job up (RUNNER_NAME there); null before. */
  runner_name: optionalText
})
export type WorkflowJob = z.infer<typeof workflowJobSchema>

const jobsPageSchema = z.object({ jobs: z.array(z.unknown()) })

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

/** `<url>; rel="next"` from a Link header. */
export function nextLink(link: string | undefined): string | undefined {
  if (link === undefined) return undefined
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim())
    if (match?.[2]?.split(/\s+/).includes('next') === true) return match[1]
  }
  return undefined
}

/** The jobs of one page; entries that are not jobs are passed over. */
function parsePage(data: unknown): WorkflowJob[] {
  const page = jobsPageSchema.safeParse(data)
  if (!page.success) {
    throw new GitHubApiError(
      `GitHub's list of jobs came back without a "jobs" array: ${JSON.stringify(data).slice(0, 120)}`,
      200
    )
  }
  const jobs: WorkflowJob[] = []
  for (const entry of page.data.jobs) {
    const job = workflowJobSchema.safeParse(entry)
    if (job.success)
      jobs.push({ ...job.data, created_at: job.data.created_at ?? null })
  }
  return jobs
}

/** The message for an answer no retry can fix. */
function fatal(run: string, failure: Failure): GitHubApiError {
  const said = failure.message === '' ? '' : ` GitHub said: ${failure.message}`
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

export class JobsApi implements RunJobs {
  /** Requests sent so far, retries included. */
  requestCount = 0
  private readonly octokit: GitHubClient
  private readonly retries: RetryContext
  private readonly origin: string

  constructor(private readonly options: JobsApiOptions) {
    const baseUrl = apiBaseUrl(options)
    this.octokit = githubClient({ token: options.token, baseUrl })
    this.origin = new URL(baseUrl).origin
    const run = `run ${options.runId} of ${options.owner}/${options.repo}`
    this.retries = {
      policy: { ...DEFAULT_RETRY, ...options.retry },
      sleep:
        options.sleep ??
        (ms => new Promise(resolve => setTimeout(resolve, ms))),
      now: options.now ?? Date.now,
      log: options.log ?? (() => undefined),
      counted: () => {
        this.requestCount++
      },
      run,
      task: `listing the jobs of ${run}`,
      fatal: failure => fatal(run, failure)
    }
  }

  /** One GET with our retries; throws GitHubApiError when it cannot succeed. */
  private get(
    route: string,
    parameters: Record<string, unknown>,
    request: Record<string, unknown> = {},
    retries: RetryContext = this.retries
  ): Promise<Answer> {
    return withRetries(async signal => {
      const response = await this.octokit.request(route, {
        ...parameters,
        request: { ...request, signal }
      })
      const answer: Answer = {
        status: response.status,
        headers: response.headers,
        data: response.data
      }
      return answer
    }, retries)
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
      const link = answer.headers['link']
      const next = nextLink(link === undefined ? undefined : String(link))
      if (next === undefined) return jobs
      if (page >= MAX_PAGES) {
        throw new GitHubApiError(
          `The jobs of ${this.retries.run} span more than ${MAX_PAGES} pages; refusing to read further.`,
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

  /** The plain-text log of job `jobId`, or why there is none (job-log.ts). */
  jobLog(jobId: number): Promise<JobLog> {
    const { owner, repo } = this.options
    const retries = { ...this.retries, task: `reading the log of job ${jobId}` }
    return readJobLog(
      {
        ...retries,
        logAnswer: id =>
          this.get(
            'GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs',
            { owner, repo, job_id: id },
            { redirect: 'manual' },
            retries
          )
      },
      jobId
    )
  }
}
