// A local stand-in for GitHub's "list jobs for a workflow run" endpoint
// (GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs), answering with the
// real API's shapes and headers: {total_count, jobs}, per_page capped at 100,
// Link with rel="next"/"last"/"first"/"prev", filter=latest|all, 401 without
// a token; a job's runner_name once it runs, and names as given (a test puts
// in the cut `<97 characters>...` GitHub lists). Tests put jobs in `jobs`, queue faults with `fail()`, and read
// `requests`. Also the job-logs endpoint (GET /repos/{o}/{r}/actions/jobs/{id}/logs) as GitHub answers
// it: 302 Found to a signed URL of the plain-text log (served here under /_logs/{id}?sig=…, with no
// token needed), once the job is completed; 404 {"message":"Not Found"} while it is queued or running,
// for a job that never got a runner, for an unknown id, and for an id in `expiredLogs`. Logs are
// `logs.get(id)` (jobLog() writes GitHub's shape), an empty log when none is set. Listens on
// 127.0.0.1, port 0.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeJob {
  id: number
  run_id: number
  run_attempt: number
  node_id: string
  head_sha: string
  url: string
  html_url: string
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'pending'
  conclusion: string | null
  created_at: string
  started_at: string | null
  completed_at: string | null
  name: string
  steps: unknown[]
  check_run_url: string
  labels: string[]
  runner_id: number | null
  runner_name: string | null
  runner_group_id: number | null
  runner_group_name: string | null
  workflow_name: string
  head_branch: string
}

/** A queued answer served instead of the normal one (`drop`: close the socket unanswered). */
export interface Fault {
  status?: number
  headers?: Record<string, string>
  body?: unknown
  drop?: boolean
}

export interface RequestRecord {
  method: string
  /** Path and query. */
  url: string
  authorization: string | undefined
}

export interface FakeGitHub {
  url: string
  jobs: FakeJob[]
  requests: RequestRecord[]
  /** Serve these answers, in order, before normal ones. */
  fail: (...faults: Fault[]) => void
  /** Called before each jobs request is answered (after faults): lets a test change jobs over time. */
  onList: ((requestNumber: number) => void) | undefined
  /** Requests to the jobs endpoint (faults included). */
  jobRequests: () => RequestRecord[]
  /** Job logs by job id, as served behind the redirect. */
  logs: Map<number, string>
  /** Job ids whose log GitHub no longer has (404 on the logs endpoint). */
  expiredLogs: Set<number>
  /** Requests to the logs endpoint and to the log downloads. */
  logRequests: () => RequestRecord[]
  close: () => Promise<void>
}

const LOGS_PATH = /^\/repos\/([^/]+)\/([^/]+)\/actions\/jobs\/(\d+)\/logs$/
const DOWNLOAD_PATH = /^\/_logs\/(\d+)$/

const JOBS_PATH =
  /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)(?:\/attempts\/(\d+))?\/jobs$/

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const faults: Fault[] = []
  const fake: FakeGitHub = {
    url: '',
    jobs: [],
    requests: [],
    fail: (...more) => {
      faults.push(...more)
    },
    onList: undefined,
    jobRequests: () =>
      fake.requests.filter(
        r => r.url.includes('/jobs') && !r.url.includes('/logs')
      ),
    logs: new Map(),
    expiredLogs: new Set(),
    logRequests: () =>
      fake.requests.filter(
        r => r.url.includes('/logs') || r.url.startsWith('/_logs/')
      ),
    close: () => Promise.resolve()
  }
  let listed = 0
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    fake.requests.push({
      method: req.method ?? '',
      url: url.pathname + url.search,
      authorization: req.headers.authorization
    })
    const send = (
      status: number,
      body: unknown,
      headers: Record<string, string> = {}
    ): void => {
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-api-version-selected': '2022-11-28',
        'x-ratelimit-limit': '1000',
        'x-ratelimit-remaining': '999',
        ...headers
      })
      res.end(JSON.stringify(body))
    }
    const fault = faults.shift()
    if (fault !== undefined) {
      if (fault.drop === true) {
        req.socket.destroy()
        return
      }
      send(
        fault.status ?? 500,
        fault.body ?? { message: 'Server Error' },
        fault.headers
      )
      return
    }
    const download = DOWNLOAD_PATH.exec(url.pathname)
    if (download !== null && req.method === 'GET') {
      const id = Number(download[1])
      if (url.searchParams.get('sig') !== `sig-${id}`) {
        res.writeHead(403, { 'content-type': 'application/xml' })
        res.end('<Error><Code>AuthenticationFailed</Code></Error>')
        return
      }
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(fake.logs.get(id) ?? '')
      return
    }
    if (req.headers.authorization === undefined) {
      send(401, {
        message: 'Requires authentication',
        documentation_url: 'https://docs.github.com/rest'
      })
      return
    }
    const logs = LOGS_PATH.exec(url.pathname)
    if (logs !== null && req.method === 'GET') {
      const id = Number(logs[3])
      const job = fake.jobs.find(j => j.id === id)
      if (
        job === undefined ||
        job.status !== 'completed' ||
        job.runner_name === null ||
        fake.expiredLogs.has(id)
      ) {
        send(404, {
          message: 'Not Found',
          documentation_url:
            'https://docs.github.com/rest/actions/workflow-jobs#download-job-logs-for-a-workflow-run',
          status: '404'
        })
        return
      }
      res.writeHead(302, {
        location: `${fake.url}/_logs/${id}?sig=sig-${id}`,
        'content-length': '0'
      })
      res.end()
      return
    }
    const match = JOBS_PATH.exec(url.pathname)
    if (match === null || req.method !== 'GET') {
      send(404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
        status: '404'
      })
      return
    }
    listed++
    fake.onList?.(listed)
    const runId = Number(match[3])
    const attempt = match[4] === undefined ? undefined : Number(match[4])
    let jobs = fake.jobs.filter(job => job.run_id === runId)
    if (attempt !== undefined) {
      jobs = jobs.filter(job => job.run_attempt === attempt)
    } else if ((url.searchParams.get('filter') ?? 'latest') === 'latest') {
      const top = Math.max(0, ...jobs.map(job => job.run_attempt))
      jobs = jobs.filter(job => job.run_attempt === top)
    }
    const perPage = Math.min(
      100,
      Number(url.searchParams.get('per_page') ?? 30)
    )
    const page = Number(url.searchParams.get('page') ?? 1)
    const last = Math.max(1, Math.ceil(jobs.length / perPage))
    const link = (p: number, rel: string): string => {
      const target = new URL(url.pathname + url.search, fake.url)
      target.searchParams.set('page', String(p))
      return `<${target.toString()}>; rel="${rel}"`
    }
    const links: string[] = []
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'))
    send(
      200,
      {
        total_count: jobs.length,
        jobs: jobs.slice((page - 1) * perPage, page * perPage)
      },
      links.length > 0 ? { link: links.join(', ') } : {}
    )
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  fake.close = () =>
    new Promise<void>(resolve => {
      server.closeAllConnections()
      server.close(() => {
        resolve()
      })
    })
  return fake
}

let nextId = 40_000

export interface JobSpec {
  name: string
  conclusion?: string | null
  status?: FakeJob['status']
  attempt?: number
  runId?: number
  /** Seconds the job took (default 30). */
  seconds?: number
  id?: number
  /** runner_name (RUNNER_NAME on that runner); default `GitHub Actions <id>` once it runs. */
  runnerName?: string | null
}

/** A job as GitHub lists it. */
export function makeJob(spec: JobSpec): FakeJob {
  const id = spec.id ?? nextId++
  const runId = spec.runId ?? 1
  const status = spec.status ?? 'completed'
  const start = Date.UTC(2026, 0, 15, 9, 0, 0) + (id % 1000) * 1000
  const done = status === 'completed'
  const ran = done || status === 'in_progress'
  return {
    id,
    run_id: runId,
    run_attempt: spec.attempt ?? 1,
    node_id: `CR_kwDO${id}`,
    head_sha: 'a'.repeat(40),
    url: `https://api.github.com/repos/o/r/actions/jobs/${id}`,
    html_url: `https://github.com/o/r/actions/runs/${runId}/job/${id}`,
    status,
    conclusion: done
      ? 'conclusion' in spec
        ? (spec.conclusion ?? null)
        : 'success'
      : null,
    created_at: new Date(start - 5000).toISOString(),
    started_at: status === 'queued' ? null : new Date(start).toISOString(),
    completed_at: done
      ? new Date(start + (spec.seconds ?? 30) * 1000).toISOString()
      : null,
    name: spec.name,
    steps: [],
    check_run_url: `https://api.github.com/repos/o/r/check-runs/${id}`,
    labels: ['ubuntu-latest'],
    runner_id: ran ? id : null,
    runner_name:
      spec.runnerName !== undefined
        ? spec.runnerName
        : ran
          ? `GitHub Actions ${id}`
          : null,
    runner_group_id: ran ? 2 : null,
    runner_group_name: ran ? 'GitHub Actions' : null,
    workflow_name: 'phases',
    head_branch: 'main'
  }
}

/** A job log as GitHub serves it: a byte order mark, then each line after its time. */
export function jobLog(
  lines: readonly string[],
  start = Date.UTC(2026, 0, 15, 9, 0, 0)
): string {
  return (
    '\uFEFF' +
    lines
      .map(
        (line, at) =>
          `${new Date(start + at * 10).toISOString().replace('Z', '0000Z')} ${line}`
      )
      .join('\n') +
    '\n'
  )
}

/**
 * Job names that look like phases of the seed plan but are not ours: other
 * workflows' jobs (`ci / …`), another caller's, and a bare one.
 */
export const LOOK_ALIKE_JOB_NAMES: readonly string[] = [
  'ci / frontend-components',
  'ci / frontend-state',
  'other / integration',
  'integration'
]
