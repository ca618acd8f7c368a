// One way to build the Octokit client for every adapter (the only module
// that imports @actions/github): the runner's API
// root, our user agent, and Octokit's own console logging silenced (it could
// print request details; each adapter says what matters itself).
import { getOctokit } from '@actions/github'

export type GitHubClient = ReturnType<typeof getOctokit>

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
