// GitHub job ids for phase ids. A job id must match [A-Za-z_][A-Za-z0-9_-]*,
// may not start with `__`, stays under 100 characters here, and GitHub
// compares job ids ignoring case. Each id is derived from its phase id
// and the other ids that meet it, never from plan order: it is readable
// (`api-endpoints` stays `api-endpoints`, `1.10` becomes `p_1_10`) and the
// same plan gives the same ids, however its phases are ordered. When phases
// meet on one id (ignoring case), each one whose id had to change takes a
// short hash of its own phase id as a suffix (`a.b` → `a_b-3f2a9c01`) —
// never a counter that depends on plan order. O(n) expected.

/** Job ids are kept at or under this length (GitHub: under 100). */
export const MAX_JOB_ID_LENGTH = 99
const HASH_LENGTH = 8
const VALID = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** FNV-1a over the UTF-16 code units, salted: 8 hex digits. O(length). */
function shortHash(text: string, salt: number): string {
  let hash = (0x811c9dc5 ^ salt) >>> 0
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(HASH_LENGTH, '0')
}

/**
 * The readable part: every character outside [A-Za-z0-9_-] becomes `_`; an
 * id that does not start with a letter or `_`, or starts with `__`, gets a
 * `p_` prefix (`1.10` → `p_1_10`).
 */
export function sanitizeJobId(phaseId: string): string {
  let id = phaseId.replace(/[^A-Za-z0-9_-]/g, '_')
  if (id === '' || !/^[A-Za-z_]/.test(id) || id.startsWith('__')) {
    id = `p_${id}`
  }
  return id.length > MAX_JOB_ID_LENGTH ? id.slice(0, MAX_JOB_ID_LENGTH) : id
}

function withSuffix(base: string, phaseId: string, salt: number): string {
  const suffix = `-${shortHash(phaseId, salt)}`
  return base.slice(0, MAX_JOB_ID_LENGTH - suffix.length) + suffix
}

/**
 * One job id per phase id (same order). `reserved` ids (our own jobs) are
 * never given to a phase. Phase ids are assumed distinct ignoring case (the
 * plan analysis reports ids that are not); distinct ones always get
 * distinct job ids.
 */
export function jobIdsFor(
  phaseIds: readonly string[],
  reserved: readonly string[] = []
): string[] {
  const taken = new Set(reserved.map(id => id.toLowerCase()))
  const ids: (string | undefined)[] = phaseIds.map(() => undefined)
  // A phase whose sanitised id is its own id (unchanged) keeps it unless a
  // reserved id holds it: unchanged ids are unique ignoring case already.
  const claims = new Map<string, number[]>()
  phaseIds.forEach((phaseId, index) => {
    const base = sanitizeJobId(phaseId)
    const key = base.toLowerCase()
    const list = claims.get(key)
    if (list === undefined) claims.set(key, [index])
    else list.push(index)
  })
  const pending: number[] = []
  for (const [key, indices] of claims) {
    if (taken.has(key)) {
      pending.push(...indices)
      continue
    }
    const keeper = indices.find(
      i => phaseIds[i] === sanitizeJobId(phaseIds[i] ?? '')
    )
    const owner = keeper ?? (indices.length === 1 ? indices[0] : undefined)
    for (const index of indices) {
      if (index === owner) {
        ids[index] = sanitizeJobId(phaseIds[index] ?? '')
        taken.add(key)
      } else {
        pending.push(index)
      }
    }
  }
  // Suffixed ids: a hash of the phase id; on the rare clash, the next salt.
  // The order of `pending` only matters when two hashes clash, and then it
  // follows the claims' first-seen order, which is plan order.
  for (const index of pending) {
    const phaseId = phaseIds[index] ?? ''
    const base = sanitizeJobId(phaseId)
    let salt = 0
    let id = withSuffix(base, phaseId, salt)
    while (taken.has(id.toLowerCase())) {
      salt++
      id = withSuffix(base, phaseId, salt)
    }
    taken.add(id.toLowerCase())
    ids[index] = id
  }
  return ids.map(id => {
    if (id === undefined || !VALID.test(id) || id.startsWith('__')) {
      throw new Error(`internal error: no valid job id for ${String(id)}`)
    }
    return id
  })
}
