// A job's name as GitHub shows it on the jobs API. GitHub cuts a job's own
// name to 100 characters (the first 97 and `...`) before it puts the
// calling job's name and ` / ` in front (actions/runner JobNameBuilder).
// Characters are UTF-16 code units, as .NET counts them. O(1).

/** Longest job name GitHub keeps whole. */
export const MAX_JOB_NAME_LENGTH = 100

const KEPT = MAX_JOB_NAME_LENGTH - 3

/** `name`, or its first 97 characters and `...` when it is longer than 100. */
export function shownJobName(name: string): string {
  return name.length > MAX_JOB_NAME_LENGTH ? `${name.slice(0, KEPT)}...` : name
}
