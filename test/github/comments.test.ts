import {
  GitHubApiError,
  findOwnComment,
  readFileAtRef,
  restComments,
  upsertSticky
} from '../../src/github/comments.js'
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { githubClient } from '../../src/github/comments.js'
import {
  startFakeCommentsApi,
  type FakeCommentsApi
} from '../support/fake-comments-api.js'

const MARKER = '<!-- phase-matrix:check -->'
const target = { owner: 'octo', repo: 'plans', issueNumber: 7 }

let api: FakeCommentsApi
beforeEach(async () => {
  api = await startFakeCommentsApi()
})
afterEach(async () => {
  await api.close()
})

function client(): ReturnType<typeof githubClient> {
  return githubClient({ token: 'ghs_test', baseUrl: api.url })
}

type Client = ReturnType<typeof githubClient>
type Target = typeof target

/** upsertSticky over the REST adapter, as the check action calls it. */
function upsertStickyComment(
  rest: Client,
  on: Target,
  marker: string,
  body: string
): ReturnType<typeof upsertSticky> {
  return upsertSticky(restComments(rest, on), on.issueNumber, marker, body)
}

/** findOwnComment over the REST adapter. */
function findComment(
  rest: Client,
  on: Target,
  marker: string,
  author: string
): ReturnType<typeof findOwnComment> {
  return findOwnComment(restComments(rest, on), on.issueNumber, marker, author)
}

/** Upserts the sticky comment of `target` with the marker, then `text`. */
function upsert(text: string): ReturnType<typeof upsertStickyComment> {
  return upsertStickyComment(client(), target, MARKER, `${MARKER}\n${text}`)
}

/** A comment by `login` of `type` that starts with the marker. */
function markedComment(
  id: number,
  text: string,
  login = 'github-actions[bot]',
  type = 'Bot'
): { id: number; body: string; user: { login: string; type: string } } {
  return { id, body: `${MARKER}\n${text}`, user: { login, type } }
}

function others(
  count: number
): { id: number; body: string; user: { login: string; type: string } }[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    body: `comment ${i + 1} mentions ${MARKER} in the middle`,
    user: { login: 'someone', type: 'User' }
  }))
}

describe('upsertStickyComment', () => {
  test('creates the comment when there is none', async () => {
    api.comments.set(7, others(3))
    const result = await upsert('hello')
    expect(result.action).toBe('created')
    expect(api.comments.get(7)).toHaveLength(4)
    expect(api.comments.get(7)![3]!.body).toBe(`${MARKER}\nhello`)
    expect(api.requests.map(r => r.method)).toEqual(['GET', 'GET', 'POST'])
    expect(api.requests[0]!.path).toBe('/user')
    expect(api.requests[0]!.authorization).toBe('token ghs_test')
  })

  test('finds ours on a later page and updates it in place', async () => {
    const ours = markedComment(555, 'old')
    api.comments.set(7, [...others(250), ours, ...others(20)])
    const result = await upsert('new')
    expect(result).toEqual(
      expect.objectContaining({ action: 'updated', id: 555 })
    )
    expect(ours.body).toBe(`${MARKER}\nnew`)
    expect(api.comments.get(7)).toHaveLength(271)
    const lists = api.requests.filter(
      r => r.method === 'GET' && r.path !== '/user'
    )
    expect(lists.map(r => r.path)).toEqual([
      '/repos/octo/plans/issues/7/comments?per_page=100',
      '/repos/octo/plans/issues/7/comments?per_page=100&page=2',
      '/repos/octo/plans/issues/7/comments?per_page=100&page=3'
    ])
    expect(api.requests.filter(r => r.method === 'PATCH')).toHaveLength(1)
  })

  test('a second run updates the comment the first one created', async () => {
    await upsert('one')
    const second = await upsert('two')
    expect(second.action).toBe('updated')
    expect(api.comments.get(7)!.map(c => c.body)).toEqual([`${MARKER}\ntwo`])
  })

  test('a read-only token (fork) is a GitHubApiError with status 403', async () => {
    api.readOnly = true
    const error = await upsert('x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GitHubApiError)
    expect((error as GitHubApiError).status).toBe(403)
    expect((error as Error).message).toContain(
      'Resource not accessible by integration'
    )
    expect((error as Error).message).not.toContain('ghs_test')
  })

  test('a body without the marker is refused before any request', async () => {
    await expect(
      upsertStickyComment(client(), target, MARKER, 'no marker')
    ).rejects.toThrow(/marker/)
    expect(api.requests).toEqual([])
  })
})

describe('findComment', () => {
  test('only a comment that starts with the marker counts', async () => {
    api.comments.set(7, others(5))
    expect(
      await findComment(client(), target, MARKER, 'someone')
    ).toBeUndefined()
  })
})

describe('only a comment by the token in use is ever edited', () => {
  const lookAlike = (login: string, id = 9) =>
    markedComment(id, `planted by ${login}`, login, 'User')

  test('GITHUB_TOKEN (GET /user is 403): a look-alike by another user is left alone', async () => {
    const planted = lookAlike('mallory')
    api.comments.set(7, [planted])
    const result = await upsert('report')
    expect(result.action).toBe('created')
    expect(planted.body).toBe(`${MARKER}\nplanted by mallory`)
    expect(api.requests.some(r => r.method === 'PATCH')).toBe(false)
    expect(api.comments.get(7)!.map(c => c.user.login)).toEqual([
      'mallory',
      'github-actions[bot]'
    ])
  })

  test("GITHUB_TOKEN: the bot's own comment after the look-alike is updated", async () => {
    const planted = lookAlike('mallory')
    const ours = markedComment(10, 'old')
    api.comments.set(7, [planted, ours])
    const result = await upsert('new')
    expect(result).toEqual(
      expect.objectContaining({ action: 'updated', id: 10 })
    )
    expect(planted.body).toBe(`${MARKER}\nplanted by mallory`)
    expect(ours.body).toBe(`${MARKER}\nnew`)
  })

  test("a personal token: only that user's comment counts, not the bot's", async () => {
    api.tokenLogin = 'octocat'
    const bot = markedComment(11, 'by the bot')
    const mine = lookAlike('octocat', 12)
    api.comments.set(7, [bot, mine])
    const result = await upsert('mine')
    expect(result).toEqual(
      expect.objectContaining({ action: 'updated', id: 12 })
    )
    expect(bot.body).toBe(`${MARKER}\nby the bot`)
    expect(mine.body).toBe(`${MARKER}\nmine`)
  })
})

describe('readFileAtRef', () => {
  test('reads a file at a commit, raw, with a path of several folders', async () => {
    api.files.set('abc123:.prd_runner/phase_plan.yaml', 'phases: []\n')
    const text = await readFileAtRef(client(), {
      owner: 'octo',
      repo: 'plans',
      path: '.prd_runner/phase_plan.yaml',
      ref: 'abc123'
    })
    expect(text).toBe('phases: []\n')
    expect(api.requests[0]!.accept).toMatch(
      /application\/vnd\.github\.(v3\.)?raw/
    )
  })

  test('a file the commit does not have is undefined', async () => {
    expect(
      await readFileAtRef(client(), {
        owner: 'octo',
        repo: 'plans',
        path: 'x.yaml',
        ref: 'abc'
      })
    ).toBeUndefined()
  })
})
