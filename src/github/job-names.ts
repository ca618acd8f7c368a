// How the legs' jobs are named in the jobs of a run: a leg of the instance
// whose caller prefix is `prefix` is exactly `<prefix> / <shown id>` (or the
// shown id with no prefix), where the shown id is the id as GitHub lists it
// (cut to 100 characters); and the names that look like a leg's but are not
// it, for "did you mean".
import { closestMatch } from '../plan/closest-id.js'
import { shownJobName } from '../plan/job-name.js'

/** Jobs that cannot be matched to this instance unambiguously. */
export class JobMatchError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JobMatchError'
  }
}

const SEPARATOR = ' / '

/** The caller prefix of a job name: everything before the last ' / ', or ''. */
export function callerPrefix(name: string): string {
  const at = name.lastIndexOf(SEPARATOR)
  return at === -1 ? '' : name.slice(0, at)
}

/** What follows the last ' / ' of a job name (the whole name without one). */
export function ownPartOfJobName(name: string): string {
  const at = name.lastIndexOf(SEPARATOR)
  return at === -1 ? name : name.slice(at + SEPARATOR.length)
}

/** The job name of phase `id`'s leg in the instance whose caller prefix is `prefix`. */
export function legJobName(prefix: string, id: string): string {
  const shown = shownJobName(id)
  return prefix === '' ? shown : `${prefix}${SEPARATOR}${shown}`
}

/** Names of this instance that look like the leg's name but are not it: for "did you mean". */
export function closeNames(
  prefix: string,
  id: string,
  names: Iterable<string>
): string[] {
  const shown = shownJobName(id)
  const mine = [...names].filter(name => callerPrefix(name) === prefix)
  const close = mine.filter(name => {
    const tail = ownPartOfJobName(name)
    return tail !== shown && (tail.includes(shown) || shown.includes(tail))
  })
  const typo = closestMatch(
    shown,
    mine.map(name => ownPartOfJobName(name)).filter(tail => tail !== shown)
  )
  if (typo !== undefined) {
    for (const name of mine) {
      if (ownPartOfJobName(name) === typo && !close.includes(name))
        close.push(name)
    }
  }
  return close.slice(0, 5)
}
