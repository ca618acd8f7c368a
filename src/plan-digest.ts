// The plan's fingerprint in the run state: settle re-reads the plan from the
// checkout and refuses one whose text changed since the plan step. Edge
// module (reads the file, hashes with node:crypto); src/plan stays pure.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

/** Hex characters of sha256 kept: 64 bits, plenty to notice an edit. */
const DIGEST_LENGTH = 16

function digestText(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex').slice(0, DIGEST_LENGTH)
}

/** The digest of a plan file's bytes (throws when the file cannot be read). */
export function digestPlanFile(path: string): string {
  return digestText(readFileSync(path))
}
