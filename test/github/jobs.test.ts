// The REST adapter against a local server that answers like GitHub: pages
// and Link headers, faults, rate limits, attempts, reusable-workflow names.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { GitHubApiError } from '../../src/github/api-error.js'
import { JobsApi, nextLink } from '../../src/github/jobs.js'
import {
  closeNames,
  newestByName,
  readLegs,
  succeededBefore
} from '../../src/github/legs.js'
import {
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

function legOptions() {
  return {
    minAttempt: 1,
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
    for (let i = 0; i < 230; i++) github.jobs.push(makeJob({ name: `p${i}` }))
    const client = api()
    const read = await readLegs(client, ['p0', 'p150', 'p229'], legOptions())
    expect(read.listings).toBe(1)
    expect(github.jobRequests()).toHaveLength(Math.ceil(230 / 100))
    expect(client.requestCount).toBe(3)
    expect(read.readings.get('p150')).toMatchObject({
      kind: 'settled',
      status: 'succeeded',
      seconds: 30
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

  test('jobs of two attempts: the newest attempt counts, then the highest id', async () => {
    github.jobs.push(
      makeJob({ name: 'api', conclusion: 'failure', attempt: 1, id: 50 }),
      makeJob({ name: 'api', conclusion: 'success', attempt: 2, id: 40 }),
      makeJob({ name: 'web', conclusion: 'success', attempt: 2, id: 60 }),
      makeJob({ name: 'web', conclusion: 'cancelled', attempt: 2, id: 61 })
    )
    const read = await readLegs(api(), ['api', 'web'], legOptions())
    expect(read.readings.get('api')).toMatchObject({ status: 'succeeded' })
    expect(read.readings.get('web')).toMatchObject({ status: 'cancelled' })
    expect(newestByName(read.jobs).get('api')?.id).toBe(40)
  })

  test('a leg whose only job is older than the round is read again', async () => {
    const old = makeJob({ name: 'api', conclusion: 'failure', attempt: 1 })
    github.jobs.push(old)
    github.onList = n => {
      if (n === 2) github.jobs.push(makeJob({ name: 'api', attempt: 2 }))
    }
    const read = await readLegs(api(), ['api'], {
      ...legOptions(),
      minAttempt: 2
    })
    expect(read.readings.get('api')).toMatchObject({ status: 'succeeded' })
    expect(read.listings).toBe(2)
  })

  test('names with a reusable-workflow prefix match; similar names never do', async () => {
    github.jobs.push(
      makeJob({ name: 'phases / api', conclusion: 'timed_out' }),
      makeJob({ name: 'api-gateway', conclusion: 'success' }),
      makeJob({ name: 'x / api-gateway', conclusion: 'success' }),
      makeJob({ name: 'phases / web-app', conclusion: 'success' }),
      makeJob({ name: 'settle 1', conclusion: 'success' })
    )
    const read = await readLegs(api(), ['api', 'web', 'gateway'], legOptions())
    expect(read.readings.get('api')).toMatchObject({
      kind: 'settled',
      status: 'timed-out',
      names: ['phases / api']
    })
    expect(read.readings.get('web')).toEqual({
      kind: 'missing',
      close: ['phases / web-app']
    })
    expect(read.readings.get('gateway')).toMatchObject({ kind: 'missing' })
  })

  test('two callers of the same workflow: the worst outcome counts', async () => {
    github.jobs.push(
      makeJob({ name: 'backend / lint', conclusion: 'success' }),
      makeJob({ name: 'frontend / lint', conclusion: 'failure' })
    )
    const read = await readLegs(api(), ['lint'], legOptions())
    expect(read.readings.get('lint')).toMatchObject({ status: 'failed' })
  })

  test('phases that succeeded in an earlier attempt', () => {
    const jobs = [
      makeJob({
        name: 'p / a',
        conclusion: 'success',
        attempt: 1,
        seconds: 12
      }),
      makeJob({ name: 'b', conclusion: 'failure', attempt: 1 }),
      makeJob({ name: 'c', conclusion: 'success', attempt: 2 })
    ]
    const earlier = succeededBefore(jobs, 2)
    expect([...earlier.keys()]).toEqual(['a'])
    expect(earlier.get('a')).toEqual({ seconds: 12 })
    expect(succeededBefore(jobs, 1).size).toBe(0)
  })

  test('close names for a missing leg', () => {
    expect(closeNames('api', ['api-gateway', 'x / apl', 'web'])).toEqual([
      'api-gateway',
      'x / apl'
    ])
  })
})
