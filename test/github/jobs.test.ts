// The REST adapter against a local server that answers like GitHub: pages
// and Link headers, faults, rate limits, attempts, reusable-workflow names.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { GitHubApiError } from '../../src/github/api-error.js'
import { JobsApi, nextLink } from '../../src/github/jobs.js'
import {
  JobMatchError,
  closeNames,
  legJobName
} from '../../src/github/job-names.js'
import { readLegs, succeededBefore } from '../../src/github/legs.js'
import { findOwnJob, type OwnJobHint } from '../../src/github/own-job.js'
import {
  jobLog,
  makeJob,
  startFakeGitHub,
  type FakeGitHub
} from '../support/fake-github.js'

const TOKEN = 'ghs_0123456789abcdefSECRET'

let github: FakeGitHub
let slept: number[]
let clock: number
let logged: string[]

beforeEach(async () => {
  github = await startFakeGitHub()
  slept = []
  clock = 1_700_000_000_000
  logged = []
})

afterEach(async () => {
  await github.close()
})

function api(
  overrides: Partial<ConstructorParameters<typeof JobsApi>[0]> = {}
): JobsApi {
  return new JobsApi({
    token: TOKEN,
    baseUrl: github.url,
    owner: 'octo',
    repo: 'shop',
    runId: 1,
    sleep: ms => {
      slept.push(ms)
      clock += ms
      return Promise.resolve()
    },
    now: () => clock,
    log: message => {
      logged.push(message)
    },
    ...overrides
  })
}

/** Settle's own job, in progress in `attempt`, found by its check run id. */
function ownJob(name = 'settle wave 1', attempt = 1): OwnJobHint {
  const job = makeJob({ name, status: 'in_progress', attempt })
  github.jobs.push(job)
  return { checkRunId: job.id, attempt }
}

function legOptions(self: OwnJobHint = ownJob()) {
  return {
    minAttempt: 1,
    self,
    sleep: (ms: number) => {
      slept.push(ms)
      clock += ms
      return Promise.resolve()
    },
    now: () => clock,
    log: (message: string) => {
      logged.push(message)
    }
  }
}

async function failure(promise: Promise<unknown>): Promise<GitHubApiError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(GitHubApiError)
    return error as GitHubApiError
  }
  throw new Error('expected the call to fail')
}

describe('listing the jobs of a run', () => {
  test('follows Link rel="next" over every page of more than 100 jobs', async () => {
    for (let i = 0; i < 250; i++)
      github.jobs.push(makeJob({ name: `phase-${i}` }))
    github.jobs.push(makeJob({ name: 'other-run', runId: 2 }))
    const jobs = await api().listJobs()
    expect(jobs.map(job => job.name).sort()).toEqual(
      Array.from({ length: 250 }, (_, i) => `phase-${i}`).sort()
    )
    const requests = github.jobRequests()
    expect(requests).toHaveLength(3)
    expect(requests[0]?.url).toBe(
      '/repos/octo/shop/actions/runs/1/jobs?filter=all&per_page=100'
    )
    expect(requests[1]?.url).toContain('page=2')
    expect(requests[2]?.url).toContain('page=3')
    for (const request of requests) {
      expect(request.url).toContain('filter=all')
      expect(request.authorization).toBe(`token ${TOKEN}`)
    }
  })

  test('a single page makes a single request', async () => {
    github.jobs.push(makeJob({ name: 'a' }), makeJob({ name: 'b' }))
    const client = api()
    expect(await client.listJobs()).toHaveLength(2)
    expect(github.jobRequests()).toHaveLength(1)
    expect(client.requestCount).toBe(1)
  })

  test('retries a 502 after a back-off, then succeeds', async () => {
    github.jobs.push(makeJob({ name: 'a' }))
    github.fail({ status: 502, body: { message: 'Server Error' } })
    const jobs = await api().listJobs()
    expect(jobs.map(job => job.name)).toEqual(['a'])
    expect(github.jobRequests()).toHaveLength(2)
    expect(slept).toEqual([1000])
    expect(logged.join('\n')).toMatch(/502; retrying in 1 s/)
  })

  test('retries a dropped connection', async () => {
    github.jobs.push(makeJob({ name: 'a' }))
    github.fail({ drop: true }, { status: 503 })
    expect(await api().listJobs()).toHaveLength(1)
    expect(slept).toEqual([1000, 2000])
  })

  test('gives up on 5xx after the retry budget, saying what GitHub answered', async () => {
    github.fail(...Array.from({ length: 5 }, () => ({ status: 500 })))
    const error = await failure(api().listJobs())
    expect(error.message).toMatch(/failed 5 times; the last answer was 500/)
    expect(github.jobRequests()).toHaveLength(5)
    expect(slept).toEqual([1000, 2000, 4000, 8000])
  })

  test('honours retry-after on a 429, once, without retrying twice', async () => {
    github.jobs.push(makeJob({ name: 'a' }))
    github.fail({
      status: 429,
      headers: { 'retry-after': '7' },
      body: { message: 'Too Many Requests' }
    })
    expect(await api().listJobs()).toHaveLength(1)
    expect(slept).toEqual([7000])
    expect(github.jobRequests()).toHaveLength(2)
  })

  test('a secondary rate limit (403 with retry-after) waits as asked', async () => {
    github.jobs.push(makeJob({ name: 'a' }))
    github.fail({
      status: 403,
      headers: { 'retry-after': '2' },
      body: { message: 'You have exceeded a secondary rate limit.' }
    })
    expect(await api().listJobs()).toHaveLength(1)
    expect(slept).toEqual([2000])
  })

  test('an exhausted primary limit waits until x-ratelimit-reset', async () => {
    github.jobs.push(makeJob({ name: 'a' }))
    github.fail({
      status: 403,
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(clock / 1000) + 20)
      },
      body: { message: 'API rate limit exceeded' }
    })
    expect(await api().listJobs()).toHaveLength(1)
    expect(slept).toEqual([20000])
  })

  test('a rate limit asking for longer than the cap is a clear error', async () => {
    github.fail({ status: 429, headers: { 'retry-after': '900' } })
    const error = await failure(api().listJobs())
    expect(error.message).toMatch(/wait 900 s .* we wait at most 60 s/)
    expect(slept).toEqual([])
  })

  test('a plain 403 names permissions: actions: read and is not retried', async () => {
    github.fail({
      status: 403,
      body: {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest'
      }
    })
    const error = await failure(api().listJobs())
    expect(error.status).toBe(403)
    expect(error.message).toContain('permissions: actions: read')
    expect(error.message).toContain('Resource not accessible by integration')
    expect(github.jobRequests()).toHaveLength(1)
  })

  test('401 and 404 say what is wrong; the token never appears', async () => {
    const client = api()
    github.fail({ status: 401, body: { message: 'Bad credentials' } })
    const unauthorized = await failure(client.listJobs())
    expect(unauthorized.message).toMatch(/refused the token \(401\)/)
    expect(unauthorized.message).toContain("'github-token'")
    github.fail({
      status: 404,
      body: {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest'
      }
    })
    const missing = await failure(client.listJobs())
    expect(missing.message).toMatch(/found no run 1 of octo\/shop \(404\)/)
    expect(github.jobRequests()).toHaveLength(2)
    for (const text of [unauthorized.message, missing.message, ...logged]) {
      expect(text).not.toContain(TOKEN)
    }
  })

  test('refuses to follow a next page to another host (the token stays home)', async () => {
    github.fail({
      status: 200,
      body: { total_count: 150, jobs: [makeJob({ name: 'a' })] },
      headers: {
        link: '<https://elsewhere.example/repos/octo/shop/actions/runs/1/jobs?page=2>; rel="next"'
      }
    })
    const error = await failure(api().listJobs())
    expect(error.message).toMatch(
      /points to https:\/\/elsewhere\.example.*refusing to send the token/
    )
    expect(
      nextLink('<https://api.github.com/x?page=1>; rel="prev"')
    ).toBeUndefined()
  })
})

describe('reading the legs of a round', () => {
  test('with nothing pending, one listing of ceil(jobs / 100) requests', async () => {
    for (let i = 0; i < 229; i++) github.jobs.push(makeJob({ name: `p${i}` }))
    const client = api()
    const read = await readLegs(client, ['p0', 'p150', 'p228'], legOptions())
    expect(read.listings).toBe(1)
    expect(github.jobRequests()).toHaveLength(Math.ceil(230 / 100))
    expect(client.requestCount).toBe(3)
    expect(read.prefix).toBe('')
    expect(read.readings.get('p150')).toMatchObject({
      kind: 'settled',
      status: 'succeeded',
      seconds: 30,
      name: 'p150'
    })
  })

  test('a job still in progress is read again until it completes, never taken as success', async () => {
    const job = makeJob({ name: 'api', status: 'in_progress' })
    github.jobs.push(job)
    github.onList = n => {
      if (n === 3)
        Object.assign(
          job,
          makeJob({ id: job.id, name: 'api', conclusion: 'failure' })
        )
    }
    const read = await readLegs(api(), ['api'], legOptions())
    expect(read.listings).toBe(3)
    expect(slept).toEqual([2000, 4000])
    expect(read.readings.get('api')).toMatchObject({
      kind: 'settled',
      status: 'failed'
    })
  })

  test('completed without a conclusion counts as pending; past the budget it is unknown', async () => {
    github.jobs.push(makeJob({ name: 'api', conclusion: null }))
    const read = await readLegs(api(), ['api'], {
      ...legOptions(),
      pending: { budgetMs: 20_000, firstDelayMs: 2000, maxDelayMs: 8000 }
    })
    expect(read.readings.get('api')).toMatchObject({
      kind: 'settled',
      status: 'unknown'
    })
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20_000)
    expect(logged.join('\n')).toMatch(/no conclusion for api/)
  })

  test('jobs of two attempts: the newest attempt counts', async () => {
    github.jobs.push(
      makeJob({ name: 'api', conclusion: 'failure', attempt: 1, id: 50 }),
      makeJob({ name: 'api', conclusion: 'success', attempt: 2, id: 40 }),
      makeJob({ name: 'web', conclusion: 'success', attempt: 1, id: 60 }),
      makeJob({ name: 'web', conclusion: 'cancelled', attempt: 3, id: 61 })
    )
    const read = await readLegs(
      api(),
      ['api', 'web'],
      legOptions(ownJob('settle wave 1', 3))
    )
    expect(read.readings.get('api')).toMatchObject({ status: 'succeeded' })
    expect(read.readings.get('web')).toMatchObject({ status: 'cancelled' })
  })

  test('a leg whose only job is older than the round is read again', async () => {
    const old = makeJob({ name: 'api', conclusion: 'failure', attempt: 1 })
    github.jobs.push(old)
    github.onList = n => {
      if (n === 2) github.jobs.push(makeJob({ name: 'api', attempt: 2 }))
    }
    const read = await readLegs(api(), ['api'], {
      ...legOptions(ownJob('settle wave 1', 2)),
      minAttempt: 2
    })
    expect(read.readings.get('api')).toMatchObject({ status: 'succeeded' })
    expect(read.listings).toBe(2)
  })

  test("only this call's names match; other callers, other workflows and similar names never do", async () => {
    github.jobs.push(
      makeJob({ name: 'phases / api', conclusion: 'timed_out' }),
      makeJob({ name: 'api', conclusion: 'success' }),
      makeJob({ name: 'ci / api', conclusion: 'success' }),
      makeJob({ name: 'phases / api-gateway', conclusion: 'success' }),
      makeJob({ name: 'x / api-gateway', conclusion: 'success' }),
      makeJob({ name: 'phases / web-app', conclusion: 'success' }),
      makeJob({ name: 'ci / web', conclusion: 'success' }),
      makeJob({ name: 'phases / settle 1', conclusion: 'success' })
    )
    const read = await readLegs(
      api(),
      ['api', 'web', 'gateway'],
      legOptions(ownJob('phases / settle wave 1'))
    )
    expect(read.prefix).toBe('phases')
    expect(read.readings.get('api')).toEqual({
      kind: 'settled',
      status: 'timed-out',
      seconds: 30,
      name: 'phases / api',
      job: expect.objectContaining({ name: 'phases / api' })
    })
    expect(read.readings.get('web')).toEqual({
      kind: 'missing',
      name: 'phases / web',
      close: ['phases / web-app']
    })
    expect(read.readings.get('gateway')).toMatchObject({
      kind: 'missing',
      name: 'phases / gateway',
      close: ['phases / api-gateway']
    })
  })

  test('two calls of the workflow in one run (green, red, still running): each settle reads its own legs', async () => {
    github.jobs.push(
      makeJob({ name: 'backend / lint', conclusion: 'success' }),
      makeJob({ name: 'backend / test', conclusion: 'success' }),
      makeJob({ name: 'frontend / lint', conclusion: 'failure' }),
      makeJob({ name: 'frontend / test', conclusion: 'success' }),
      makeJob({ name: 'docs / lint', status: 'in_progress' }),
      makeJob({ name: 'docs / test', conclusion: 'success' }),
      // Another workflow's jobs of the same names.
      makeJob({ name: 'ci / lint', conclusion: 'failure' }),
      makeJob({ name: 'lint', conclusion: 'failure' })
    )
    const backend = ownJob('backend / settle wave 1')
    const frontend = ownJob('frontend / settle wave 1')
    const docs = ownJob('docs / settle wave 1')
    const ids = ['lint', 'test']

    const green = await readLegs(api(), ids, legOptions(backend))
    expect(green.prefix).toBe('backend')
    expect(green.readings.get('lint')).toMatchObject({
      status: 'succeeded',
      name: 'backend / lint'
    })
    expect(green.readings.get('test')).toMatchObject({ status: 'succeeded' })
    expect(green.listings).toBe(1)

    const red = await readLegs(api(), ids, legOptions(frontend))
    expect(red.readings.get('lint')).toMatchObject({
      status: 'failed',
      name: 'frontend / lint'
    })
    expect(red.readings.get('test')).toMatchObject({ status: 'succeeded' })

    const running = await readLegs(api(), ids, {
      ...legOptions(docs),
      pending: { budgetMs: 10_000, firstDelayMs: 2000, maxDelayMs: 4000 }
    })
    expect(running.readings.get('lint')).toMatchObject({
      status: 'unknown',
      name: 'docs / lint'
    })
    expect(running.readings.get('test')).toMatchObject({ status: 'succeeded' })
    expect(running.listings).toBeGreaterThan(1)
  })

  test('a phase id over 100 characters is read under the cut name GitHub lists', async () => {
    const id = `deploy-${'x'.repeat(113)}`
    expect(id).toHaveLength(120)
    const cut = `${id.slice(0, 97)}...`
    github.jobs.push(
      makeJob({ name: `phases / ${cut}`, conclusion: 'success' }),
      makeJob({ name: cut, conclusion: 'failure' })
    )
    expect(legJobName('phases', id)).toBe(`phases / ${cut}`)
    expect(legJobName('', id)).toBe(cut)
    const read = await readLegs(
      api(),
      [id],
      legOptions(ownJob('phases / settle wave 1'))
    )
    expect(read.readings.get(id)).toMatchObject({
      kind: 'settled',
      status: 'succeeded',
      name: `phases / ${cut}`
    })
    const bare = await readLegs(api(), [id], legOptions())
    expect(bare.readings.get(id)).toMatchObject({ status: 'failed' })
  })

  test('two jobs of one attempt under the leg name are an error, never a guess', async () => {
    github.jobs.push(
      makeJob({ name: 'phases / api', conclusion: 'success', id: 70 }),
      makeJob({ name: 'phases / api', conclusion: 'failure', id: 71 })
    )
    await expect(
      readLegs(api(), ['api'], legOptions(ownJob('phases / settle wave 1')))
    ).rejects.toThrow(
      /Two jobs of attempt 1 are named 'phases \/ api' \(70 and 71\)/
    )
  })
})

describe('settle finds its own job, hence its instance', () => {
  const running = (name: string, runnerName: string, attempt = 1) =>
    makeJob({ name, status: 'in_progress', runnerName, attempt })

  test('by check_run_id, whatever runner it is on', () => {
    const mine = running('backend / settle wave 2', 'GitHub Actions 3')
    const jobs = [
      running('frontend / settle wave 2', 'GitHub Actions 3'),
      mine,
      makeJob({ name: 'settle wave 2' })
    ]
    expect(findOwnJob(jobs, { checkRunId: mine.id, attempt: 1 })).toBe(mine)
    expect(
      findOwnJob(jobs, { checkRunId: 999_999, attempt: 1 })
    ).toBeUndefined()
  })

  test('by runner name: the in-progress job of this attempt on RUNNER_NAME', () => {
    const mine = running('backend / settle wave 2', 'runner-b', 2)
    const jobs = [
      makeJob({ name: 'frontend / x', runnerName: 'runner-b' }),
      running('frontend / settle wave 2', 'runner-b', 1),
      running('frontend / y', 'runner-c', 2),
      mine
    ]
    expect(findOwnJob(jobs, { runnerName: 'runner-b', attempt: 2 })).toBe(mine)
    expect(
      findOwnJob(jobs, { runnerName: 'runner-z', attempt: 2 })
    ).toBeUndefined()
  })

  test('by runner name through the REST adapter (runner_name as the API lists it)', async () => {
    github.jobs.push(
      makeJob({ name: 'frontend / api', conclusion: 'failure' }),
      makeJob({ name: 'backend / api', conclusion: 'success' }),
      makeJob({
        name: 'frontend / settle wave 1',
        status: 'in_progress',
        runnerName: 'GitHub Actions 1000000002'
      }),
      makeJob({
        name: 'backend / settle wave 1',
        status: 'in_progress',
        runnerName: 'GitHub Actions 1000000001'
      })
    )
    const read = await readLegs(
      api(),
      ['api'],
      legOptions({ runnerName: 'GitHub Actions 1000000001', attempt: 1 })
    )
    expect(read.own.name).toBe('backend / settle wave 1')
    expect(read.own.runner_name).toBe('GitHub Actions 1000000001')
    expect(read.readings.get('api')).toMatchObject({
      status: 'succeeded',
      name: 'backend / api'
    })
  })

  test('ambiguous or impossible: a clear error', () => {
    const a = running('a / settle wave 1', 'same')
    const b = running('b / settle wave 1', 'same')
    expect(() =>
      findOwnJob([a, b], { runnerName: 'same', attempt: 1 })
    ).toThrow(/2 jobs of this run are in progress on runner 'same'/)
    expect(() => findOwnJob([a], { attempt: 1 })).toThrow(
      /no job id was given and RUNNER_NAME is not set.*job-id: \$\{\{ job.check_run_id \}\}/
    )
    const old = makeJob({ name: 'settle wave 1', attempt: 1 })
    expect(() => findOwnJob([old], { checkRunId: old.id, attempt: 2 })).toThrow(
      JobMatchError
    )
    // Two calls under one calling job name: their legs cannot be told apart.
    const twin = running('a / settle wave 1', 'other')
    expect(() =>
      findOwnJob([a, twin], { checkRunId: a.id, attempt: 1 })
    ).toThrow(/has a twin of the same name in attempt 1/)
  })

  test('not listed within the budget: an error naming what was looked for', async () => {
    github.jobs.push(makeJob({ name: 'api' }))
    await expect(
      readLegs(api(), ['api'], {
        ...legOptions({ checkRunId: 123_456, attempt: 1 }),
        pending: { budgetMs: 6000, firstDelayMs: 2000, maxDelayMs: 2000 }
      })
    ).rejects.toThrow(
      /Settle cannot find its own job \(job id 123456\) among the 1 job\(s\)/
    )
    expect(slept.length).toBeGreaterThan(0)
  })

  test('listed late: read again, then found', async () => {
    github.jobs.push(makeJob({ name: 'api' }))
    github.onList = n => {
      if (n === 2)
        github.jobs.push(
          makeJob({ id: 777_777, name: 'settle wave 1', status: 'in_progress' })
        )
    }
    const read = await readLegs(
      api(),
      ['api'],
      legOptions({ checkRunId: 777_777, attempt: 1 })
    )
    expect(read.listings).toBe(2)
    expect(read.readings.get('api')).toMatchObject({ status: 'succeeded' })
  })
})

describe('phases that succeeded in an earlier attempt, in this call only', () => {
  const ids = ['build', 'test', 'lint', 'deploy']

  test('attempt 2: look-alike successes of other callers and workflows do not count', () => {
    const jobs = [
      makeJob({ name: 'phases / build', conclusion: 'failure', attempt: 1 }),
      makeJob({ name: 'ci / test', conclusion: 'success', attempt: 1 }),
      makeJob({ name: 'test', conclusion: 'success', attempt: 1 }),
      makeJob({ name: 'other / lint', conclusion: 'success', attempt: 1 }),
      makeJob({
        name: 'phases / deploy',
        conclusion: 'success',
        attempt: 1,
        seconds: 12
      }),
      makeJob({ name: 'phases / lint', conclusion: 'success', attempt: 2 })
    ]
    const earlier = succeededBefore(jobs, 2, 'phases', ids)
    expect([...earlier.entries()]).toEqual([['deploy', { seconds: 12 }]])
    expect(succeededBefore(jobs, 1, 'phases', ids).size).toBe(0)
    // Without a caller, only the bare names count.
    expect([...succeededBefore(jobs, 2, '', ids).keys()]).toEqual(['test'])
  })

  test('attempt 3: a success in attempt 1 or 2 counts; a failure after it does not undo it', () => {
    const jobs = [
      makeJob({
        name: 'phases / build',
        conclusion: 'success',
        attempt: 1,
        seconds: 5
      }),
      makeJob({
        name: 'phases / test',
        conclusion: 'failure',
        attempt: 1
      }),
      makeJob({
        name: 'phases / test',
        conclusion: 'success',
        attempt: 2,
        seconds: 7
      }),
      makeJob({ name: 'ci / lint', conclusion: 'success', attempt: 2 }),
      makeJob({ name: 'phases / lint', conclusion: 'failure', attempt: 2 }),
      makeJob({ name: 'phases / deploy', conclusion: 'success', attempt: 3 })
    ]
    const earlier = succeededBefore(jobs, 3, 'phases', ids)
    expect(Object.fromEntries(earlier)).toEqual({
      build: { seconds: 5 },
      test: { seconds: 7 }
    })
  })

  test('a cut name counts; twin successes of one attempt are an error', () => {
    const id = 'z'.repeat(120)
    const cut = `${'z'.repeat(97)}...`
    expect([
      ...succeededBefore(
        [makeJob({ name: `p / ${cut}`, attempt: 1 })],
        2,
        'p',
        [id]
      ).keys()
    ]).toEqual([id])
    const twins = [
      makeJob({ name: 'p / build', attempt: 1 }),
      makeJob({ name: 'p / build', attempt: 1 })
    ]
    expect(() => succeededBefore(twins, 2, 'p', ['build'])).toThrow(
      JobMatchError
    )
  })

  test('close names for a missing leg: this call only', () => {
    expect(
      closeNames('', 'api', ['api-gateway', 'x / apl', 'apl', 'web'])
    ).toEqual(['api-gateway', 'apl'])
    expect(
      closeNames('x', 'api', ['api-gateway', 'x / apl', 'y / api-v2'])
    ).toEqual(['x / apl'])
  })
})

describe('job logs (GET /repos/{o}/{r}/actions/jobs/{id}/logs)', () => {
  test('follows the 302 to the plain-text log without sending the token there', async () => {
    const job = makeJob({ name: 'wave 1 leg 1/2' })
    github.jobs.push(job)
    github.logs.set(job.id, jobLog(['hello', 'phase-matrix-leg: abc']))
    const read = await api().jobLog(job.id)
    expect(read).toEqual({
      log: expect.stringContaining(' phase-matrix-leg: abc')
    })
    const [endpoint, download] = github.logRequests()
    expect(endpoint?.url).toBe(`/repos/octo/shop/actions/jobs/${job.id}/logs`)
    expect(endpoint?.authorization).toBe(`token ${TOKEN}`)
    expect(download?.url).toBe(`/_logs/${job.id}?sig=sig-${job.id}`)
    expect(download?.authorization).toBeUndefined()
  })

  test('404 while the job runs, for a job that never ran, and once the log expired: missing, with the reason', async () => {
    const running = makeJob({ name: 'a', status: 'in_progress' })
    const skipped = makeJob({
      name: 'b',
      conclusion: 'skipped',
      runnerName: null
    })
    const expired = makeJob({ name: 'c' })
    github.jobs.push(running, skipped, expired)
    github.expiredLogs.add(expired.id)
    for (const job of [running, skipped, expired]) {
      expect(await api().jobLog(job.id)).toEqual({
        missing: `GitHub answered 404 for the log of job ${job.id}`
      })
    }
    expect(await api().jobLog(999_999)).toHaveProperty('missing')
  })

  test('5xx on the endpoint is retried; a failing download is retried, then an error', async () => {
    const job = makeJob({ name: 'a' })
    github.jobs.push(job)
    github.logs.set(job.id, jobLog(['ok']))
    github.fail({ status: 502 })
    expect(await api().jobLog(job.id)).toEqual({
      log: expect.stringContaining('ok')
    })
    expect(slept).toEqual([1000])
    // The endpoint redirects, then every download fails.
    const location = `${github.url}/_logs/${job.id}?sig=sig-${job.id}`
    github.fail(
      { status: 302, headers: { location }, body: '' },
      { status: 503 }
    )
    expect(await api().jobLog(job.id)).toEqual({
      log: expect.stringContaining('ok')
    })
    github.fail(
      { status: 302, headers: { location }, body: '' },
      { status: 503 },
      { status: 503 }
    )
    await expect(
      api({ retry: { attempts: 2 } }).jobLog(job.id)
    ).rejects.toThrow(
      `Reading the log of job ${job.id} failed 2 times; the last answer was 503.`
    )
  })
})
