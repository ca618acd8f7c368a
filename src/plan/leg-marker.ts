// The channel from a packed leg to settle: `phase-matrix exec` prints, after
// each phase and once more at the end, one marker line with the leg's
// per-phase results so far:
//
//   phase-matrix-leg: <base64url of JSON>
//
// JSON `{"v":1,"leg":"wave 2 leg 3/40","final":true,"phases":[{"id","status",
// "start","end"}]}`, `status` one of succeeded, failed, timed-out, skipped
// (a dependency in the same leg failed) or not-run (the leg stopped first);
// `start`/`end` ISO times (absent for a phase that never started). Settle
// reads the job's log (the job-logs endpoint) and takes the last marker of
// the leg: the final one when exec finished, else the last progress line
// (a leg cancelled or timed out). base64url has no `:` and no `#`, and the
// line starts with a letter: the runner never reads it as a workflow
// command. Pure string functions, O(length).

import { z } from 'zod'

export const LEG_MARKER_PREFIX = 'phase-matrix-leg: '
export const LEG_MARKER_VERSION = 1

const markedStatus = z.enum([
  'succeeded',
  'failed',
  'timed-out',
  'skipped',
  'not-run'
])

export type MarkedStatus = z.infer<typeof markedStatus>

export interface MarkedPhase {
  id: string
  status: MarkedStatus
  /** ISO time the phase started (absent when it never started). */
  start?: string
  /** ISO time it ended. */
  end?: string
}

export interface LegMarker {
  leg: string
  /** True on the line exec prints when every phase of the leg is done. */
  final: boolean
  phases: MarkedPhase[]
}

const isoTime = z.string().refine(time => Number.isFinite(Date.parse(time)))

/** The marker's JSON; other keys are ignored (a later exec may add some). */
const legMarkerJson = z.object({
  v: z.literal(LEG_MARKER_VERSION),
  leg: z.string(),
  final: z.boolean(),
  phases: z.array(
    z.object({
      id: z.string(),
      status: markedStatus,
      start: isoTime.optional(),
      end: isoTime.optional()
    })
  )
})

export function encodeLegMarker(marker: LegMarker): string {
  const json = JSON.stringify({ v: LEG_MARKER_VERSION, ...marker })
  return `${LEG_MARKER_PREFIX}${Buffer.from(json, 'utf8').toString('base64url')}`
}

/** One marker line's payload (after the prefix), or undefined when it is not one. */
export function decodeLegMarker(payload: string): LegMarker | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(payload)) return undefined
  let data: unknown
  try {
    data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  const parsed = legMarkerJson.safeParse(data)
  if (!parsed.success) return undefined
  const { leg, final, phases } = parsed.data
  return {
    leg,
    final,
    phases: phases.map(phase => {
      const copy: MarkedPhase = { id: phase.id, status: phase.status }
      if (phase.start !== undefined) copy.start = phase.start
      if (phase.end !== undefined) copy.end = phase.end
      return copy
    })
  }
}

/** A job log line as GitHub serves it: an optional BOM, `<ISO time> `, the text. */
const TIMESTAMP = /^\uFEFF?(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z )?/

/**
 * The last marker of leg `leg` in a job log (GitHub's shape: one timestamp
 * per line), or undefined when the log has none.
 */
export function findLegMarker(log: string, leg: string): LegMarker | undefined {
  let found: LegMarker | undefined
  for (const raw of log.split(/\r?\n/)) {
    const line = raw.replace(TIMESTAMP, '')
    if (!line.startsWith(LEG_MARKER_PREFIX)) continue
    const marker = decodeLegMarker(line.slice(LEG_MARKER_PREFIX.length).trim())
    if (marker !== undefined && marker.leg === leg) found = marker
  }
  return found
}

/** Minutes between two ISO times, when both are valid and in order. */
export function minutesBetween(
  start: string | undefined,
  end: string | undefined
): number | undefined {
  if (start === undefined || end === undefined) return undefined
  const ms = Date.parse(end) - Date.parse(start)
  return Number.isFinite(ms) && ms >= 0 ? ms / 60_000 : undefined
}
