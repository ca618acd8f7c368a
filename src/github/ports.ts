// What the check action needs from GitHub, as small interfaces: the REST
// adapters of this folder implement them (adapters.ts builds the real
// ones), and a test passes plain objects instead. Each port is bound to one
// repository when it is built.
/** One comment of a pull request as the API lists it (the fields we read). */
export interface IssueComment {
  id: number
  body?: string | null
  user?: { login: string } | null
}

export interface WrittenComment {
  id: number
  url: string
}

/**
 * The comments of the pull requests of one repository. Errors are
 * GitHubApiError with GitHub's status (403: this token may not write).
 */
export interface CommentsPort {
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
