// The real GitHub ports (ports.ts) over the REST API, built by the check
// action's entry from the settings: the token, the repository of the run
// context, and its API root.
import type { RunContext } from '../actions/inputs.js'
import { UsageError } from '../plan/errors.js'
import { githubClient, type GitHubClient } from './client.js'
import { readFileAtRef, restComments } from './comments.js'
import type { CheckGitHub, CommentsPort } from './ports.js'

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
