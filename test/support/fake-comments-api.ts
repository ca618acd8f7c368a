// A local HTTP server that answers the few REST calls of the pull-request
// check the way GitHub does: issue comments (listed 100 a page with Link
// headers, created with 201, updated with PATCH), file contents at a commit
// (raw media type, 404 when absent), and a 403 "Resource not accessible by
// integration" where a fork's read-only token may not write.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeComment {
  id: number
  body: string
  user: { login: string; type: string }
}

export interface RecordedRequest {
  method: string
  path: string
  authorization: string | undefined
  accept: string | undefined
  body?: unknown
}

export interface FakeCommentsApi {
  url: string
  /** Comments of each pull request number, oldest first. */
  comments: Map<number, FakeComment[]>
  /** File text by `${ref}:${path}`. */
  files: Map<string, string>
  requests: RecordedRequest[]
  /** Answer 403 to every write (a pull request from a fork). */
  readOnly: boolean
  /**
   * Whom the token belongs to: GET /user answers this login (a personal
   * token); undefined answers 403 "Resource not accessible by integration",
   * as for the GITHUB_TOKEN, whose comments are by github-actions[bot].
   */
  tokenLogin: string | undefined
  close: () => Promise<void>
}

const PER_PAGE_MAX = 100

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => (text += chunk))
    request.on('end', () => {
      resolve(text)
    })
    request.on('error', reject)
  })
}

export async function startFakeCommentsApi(
  owner = 'octo',
  repo = 'plans'
): Promise<FakeCommentsApi> {
  let nextId = 1000
  const api: FakeCommentsApi = {
    url: '',
    comments: new Map(),
    files: new Map(),
    requests: [],
    readOnly: false,
    tokenLogin: undefined,
    close: () => Promise.resolve()
  }
  const prefix = `/repos/${owner}/${repo}`
  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1')
      const text = await readBody(request)
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        path: url.pathname + url.search,
        authorization: request.headers.authorization,
        accept: request.headers.accept
      }
      if (text !== '') recorded.body = JSON.parse(text) as unknown
      api.requests.push(recorded)
      const send = (
        status: number,
        data: unknown,
        headers: Record<string, string> = {}
      ): void => {
        const raw = typeof data === 'string'
        response.writeHead(status, {
          'content-type': raw
            ? 'text/plain; charset=utf-8'
            : 'application/json; charset=utf-8',
          ...headers
        })
        response.end(raw ? data : JSON.stringify(data))
      }
      const forbidden = (): void => {
        send(403, {
          message: 'Resource not accessible by integration',
          documentation_url:
            'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
          status: '403'
        })
      }
      const notFound = (): void => {
        send(404, {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest',
          status: '404'
        })
      }
      const commentJson = (comment: FakeComment): unknown => ({
        ...comment,
        html_url: `https://github.com/${owner}/${repo}/pull/1#issuecomment-${comment.id}`,
        created_at: '2025-01-01T00:00:00Z',
        updated_at: '2025-01-01T00:00:00Z'
      })

      const list = new RegExp(`^${prefix}/issues/(\\d+)/comments$`).exec(
        url.pathname
      )
      const one = new RegExp(`^${prefix}/issues/comments/(\\d+)$`).exec(
        url.pathname
      )
      const contents = new RegExp(`^${prefix}/contents/(.+)$`).exec(
        url.pathname
      )
      if (url.pathname === '/user' && request.method === 'GET') {
        if (api.tokenLogin === undefined) {
          forbidden()
          return
        }
        send(200, { login: api.tokenLogin, type: 'User' })
      } else if (list !== null && request.method === 'GET') {
        const all = api.comments.get(Number(list[1])) ?? []
        const perPage = Math.min(
          Number(url.searchParams.get('per_page') ?? '30'),
          PER_PAGE_MAX
        )
        const page = Number(url.searchParams.get('page') ?? '1')
        const last = Math.max(1, Math.ceil(all.length / perPage))
        const headers: Record<string, string> = {}
        if (page < last) {
          const link = (p: number): string => {
            const next = new URL(url.toString())
            next.searchParams.set('page', String(p))
            return `${api.url}${next.pathname}${next.search}`
          }
          headers['link'] =
            `<${link(page + 1)}>; rel="next", <${link(last)}>; rel="last"`
        }
        send(
          200,
          all.slice((page - 1) * perPage, page * perPage).map(commentJson),
          headers
        )
      } else if (list !== null && request.method === 'POST') {
        if (api.readOnly) {
          forbidden()
          return
        }
        const body = (recorded.body as { body: string }).body
        const comment: FakeComment = {
          id: nextId++,
          body,
          user:
            api.tokenLogin === undefined
              ? { login: 'github-actions[bot]', type: 'Bot' }
              : { login: api.tokenLogin, type: 'User' }
        }
        const number = Number(list[1])
        api.comments.set(number, [...(api.comments.get(number) ?? []), comment])
        send(201, commentJson(comment))
      } else if (one !== null && request.method === 'PATCH') {
        if (api.readOnly) {
          forbidden()
          return
        }
        const id = Number(one[1])
        const comment = [...api.comments.values()].flat().find(c => c.id === id)
        if (comment === undefined) {
          notFound()
          return
        }
        comment.body = (recorded.body as { body: string }).body
        send(200, commentJson(comment))
      } else if (contents !== null && request.method === 'GET') {
        const path = decodeURIComponent(contents[1] ?? '')
        const ref = url.searchParams.get('ref') ?? ''
        const file = api.files.get(`${ref}:${path}`)
        if (file === undefined) {
          notFound()
          return
        }
        if (!(request.headers.accept ?? '').includes('raw')) {
          send(200, {
            type: 'file',
            encoding: 'base64',
            content: Buffer.from(file).toString('base64')
          })
          return
        }
        send(200, file)
      } else {
        notFound()
      }
    })()
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  api.url = `http://127.0.0.1:${port}`
  api.close = () =>
    new Promise<void>((resolve, reject) =>
      server.close(error => {
        if (error) reject(error)
        else resolve()
      })
    )
  return api
}
