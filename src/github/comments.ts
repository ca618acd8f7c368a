// GitHub as the check action sees it: the ports (small interfaces a test
// fills with plain objects), the REST adapters behind them (the sticky
// comment, a file at a commit) and the real ports built from the settings,
// with the Octokit client (the one import of @actions/github).
import { errorMessage } from '../plan/errors.js'
import type { RunContext } from '../actions/inputs.js'
import { UsageError } from '../plan/errors.js'
import { getOctokit } from '@actions/github'

// What the check action needs from GitHub, as small interfaces: the REST
// adapters below implement them (checkGitHub builds the real ones), and a
// test passes plain objects instead. Each port is bound to one repository
// when it is built.

/** One comment of a pull request as the API lists it (the fields we read). */
export interface IssueComment {
  id: number
  body?: string | null
  user?: { login: string } | null
}

interface WrittenComment {
  id: number
  url: string
}

/**
 * The comments of the pull requests of one repository. Errors are
 * GitHubApiError with GitHub's status (403: this token may not write).
 */
interface CommentsPort {
  /** The login comments made with this token appear under. */
  tokenLogin(): Promise<string>
  /** The comments of an issue or pull request, page after page, oldest first. */
  commentPages(issueNumber: number): AsyncIterable<readonly IssueComment[]>
  updateComment(id: number, body: string): Promise<WrittenComment>
  createComment(issueNumber: number, body: string): Promise<WrittenComment>
}

/** Files of one repository at a commit (the contents API). */
interface ContentsPort {
  /** The file's text at `ref`, or undefined when it does not exist there. */
  fileAtRef(path: string, ref: string): Promise<string | undefined>
}

/** What the pull-request check needs: comments and contents. */
export type CheckGitHub = CommentsPort & ContentsPort

/**
 * A GitHub API request that was refused, or got no answer, in a way that
 * retrying cannot fix. `status` is GitHub's HTTP status (0: no answer).
 */
export class GitHubApiError extends Error {
  readonly status: number

  constructor(message: string, status: number) {
    super(message)
    this.name = 'GitHubApiError'
    this.status = status
  }
}

// The REST adapter of the pull-request check: one sticky comment per pull
// request (found again by a hidden marker across every page of comments,
// and only among the comments written by the token's own identity, so a
// look-alike comment by anyone else is never edited; updated in place, else
// created) and a file's text at a commit (the base
// branch's plan, read through the contents API: nothing of the pull request
// is checked out or run). Errors keep GitHub's status so the caller can
// tell "this token may not comment" (403, a pull request from a fork) from
// the rest. The token is never logged.

interface Repository {
  owner: string
  repo: string
}

type CommentAction = 'created' | 'updated'

interface StickyCommentResult {
  action: CommentAction
  id: number
  url: string
}

type Client = GitHubClient

/** Most comment pages read while looking for ours (100 comments a page). */
const MAX_COMMENT_PAGES = 100

/** The HTTP status Octokit's error carries; 0 when there is none. */
function statusOf(error: unknown): number {
  return typeof error === 'object' &&
    error !== null &&
    'status' in error &&
    typeof error.status === 'number'
    ? error.status
    : 0
}

/** Runs one API call; a refusal becomes a GitHubApiError naming `what`. */
async function call<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request()
  } catch (error) {
    const status = statusOf(error)
    throw new GitHubApiError(
      `${what} failed${status === 0 ? '' : ` (HTTP ${status})`}: ${errorMessage(error)}`,
      status
    )
  }
}

/** Whom the GITHUB_TOKEN writes comments as (GET /user refuses that token). */
const ACTIONS_BOT_LOGIN = 'github-actions[bot]'

/**
 * The login comments made with this token appear under: GET /user for a
 * personal token; for the GITHUB_TOKEN, which GET /user refuses with 403
 * ("Resource not accessible by integration"), `github-actions[bot]`.
 */
export async function tokenLogin(client: Client): Promise<string> {
  try {
    const response = await client.request('GET /user')
    return response.data.login
  } catch (error) {
    if (statusOf(error) === 403) return ACTIONS_BOT_LOGIN
    throw new GitHubApiError(
      `Reading whom the token belongs to (GET /user) failed: ${errorMessage(error)}`,
      statusOf(error)
    )
  }
}

/**
 * The id of our comment, if any: its body starts with `marker` and it was
 * written by `author` (the token's login). O(comments).
 */
export async function findOwnComment(
  port: CommentsPort,
  issueNumber: number,
  marker: string,
  author: string
): Promise<number | undefined> {
  let pages = 0
  for await (const page of port.commentPages(issueNumber)) {
    const ours = page.find(
      comment =>
        comment.body?.startsWith(marker) === true &&
        comment.user?.login === author
    )
    if (ours !== undefined) return ours.id
    pages++
    if (pages >= MAX_COMMENT_PAGES) return undefined
  }
  return undefined
}

/**
 * Keeps one comment on the pull request: updates the one that starts with
 * `marker` and was written by this token's identity, or creates it. `body`
 * must start with `marker`.
 */
export async function upsertSticky(
  port: CommentsPort,
  issueNumber: number,
  marker: string,
  body: string
): Promise<StickyCommentResult> {
  if (!body.startsWith(marker)) {
    throw new Error(
      'internal error: a sticky comment must start with its marker'
    )
  }
  const author = await port.tokenLogin()
  const existing = await findOwnComment(port, issueNumber, marker, author)
  if (existing !== undefined) {
    const written = await port.updateComment(existing, body)
    return { action: 'updated', ...written }
  }
  const written = await port.createComment(issueNumber, body)
  return { action: 'created', ...written }
}

/** The comments port over the REST API, for one repository. */
export function restComments(
  client: Client,
  repository: Repository
): CommentsPort {
  const { owner, repo } = repository
  return {
    tokenLogin: () => tokenLogin(client),
    commentPages: issueNumber => ({
      async *[Symbol.asyncIterator]() {
        const pages = client.paginate.iterator(
          'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
          { owner, repo, issue_number: issueNumber, per_page: 100 }
        )
        // Errors while listing keep GitHub's status.
        const iterator = pages[Symbol.asyncIterator]()
        for (;;) {
          const next = await call('Listing the pull request comments', () =>
            iterator.next()
          )
          if (next.done === true) return
          yield next.value.data
        }
      }
    }),
    updateComment: (id, body) =>
      writeComment('Updating the comment', () =>
        client.request(
          'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
          { owner, repo, comment_id: id, body }
        )
      ),
    createComment: (issueNumber, body) =>
      writeComment('Creating the comment', () =>
        client.request(
          'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
          { owner, repo, issue_number: issueNumber, body }
        )
      )
  }
}

/** A comment written (created or updated): its id and address. */
async function writeComment(
  what: string,
  request: () => Promise<{ data: { id: number | bigint; html_url: string } }>
): Promise<WrittenComment> {
  const response = await call(what, request)
  return { id: Number(response.data.id), url: response.data.html_url }
}

/**
 * A file's text at `ref` through the contents API (raw media type, so
 * files over 1 MB come whole), or undefined when it does not exist there.
 */
export async function readFileAtRef(
  client: Client,
  target: Repository & { path: string; ref: string }
): Promise<string | undefined> {
  try {
    const response = await call(`Reading ${target.path} at ${target.ref}`, () =>
      client.request('GET /repos/{owner}/{repo}/contents/{path}', {
        owner: target.owner,
        repo: target.repo,
        path: target.path,
        ref: target.ref,
        mediaType: { format: 'raw' }
      })
    )
    const data: unknown = response.data
    // GitHub answers text/plain; Octokit hands other types over as bytes.
    if (data instanceof ArrayBuffer) return new TextDecoder().decode(data)
    if (typeof data !== 'string') {
      throw new GitHubApiError(
        `Reading ${target.path} at ${target.ref}: expected a file, got ${Array.isArray(data) ? 'a folder' : 'something else'}`,
        response.status
      )
    }
    return data
  } catch (error) {
    if (error instanceof GitHubApiError && error.status === 404)
      return undefined
    throw error
  }
}

// The real GitHub ports (above) over the REST API, built by the check
// action's entry from the settings: the token, the repository of the run
// context, and its API root.

function repositoryOf(run: RunContext): { owner: string; repo: string } {
  if (run.repository === undefined) {
    throw new UsageError(
      "GITHUB_REPOSITORY is not set: expected 'owner/repo', as the runner sets it for every step."
    )
  }
  return run.repository
}

/** The check's port: comments and contents of this repository. */
export function checkGitHub(run: RunContext, token: string): CheckGitHub {
  let built: { client: GitHubClient; comments: CommentsPort } | undefined
  const connect = (): { client: GitHubClient; comments: CommentsPort } => {
    if (built === undefined) {
      const client = githubClient({ token, baseUrl: run.apiUrl })
      built = { client, comments: restComments(client, repositoryOf(run)) }
    }
    return built
  }
  return {
    tokenLogin: () => connect().comments.tokenLogin(),
    commentPages: issueNumber => connect().comments.commentPages(issueNumber),
    updateComment: (id, body) => connect().comments.updateComment(id, body),
    createComment: (issueNumber, body) =>
      connect().comments.createComment(issueNumber, body),
    fileAtRef: (path, ref) =>
      readFileAtRef(connect().client, { ...repositoryOf(run), path, ref })
  }
}

// One way to build the Octokit client for every adapter (the only module
// that imports @actions/github): the runner's API
// root, our user agent, and Octokit's own console logging silenced (it could
// print request details; each adapter says what matters itself).

type GitHubClient = ReturnType<typeof getOctokit>

interface GitHubApiOptions {
  token: string
  /** API root (the run context's GITHUB_API_URL); github.com's when not given. */
  baseUrl?: string
}

/** The API root these options point at. */
function apiBaseUrl(options: GitHubApiOptions): string {
  return options.baseUrl ?? 'https://api.github.com'
}

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined
}

export function githubClient(options: GitHubApiOptions): GitHubClient {
  return getOctokit(options.token, {
    baseUrl: apiBaseUrl(options),
    userAgent: 'phase-matrix',
    log: quiet
  })
}
