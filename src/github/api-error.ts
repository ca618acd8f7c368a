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
