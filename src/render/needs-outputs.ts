// Phase outputs in the needs graph. Every job that runs a phase others
// depend on hands on what it wrote to $PHASE_OUTPUT as its job output
// `phase-outputs`, `{"<id>": {"<key>": "<value>"}}` (its phases that wrote
// some; empty or `{}` when none), from the step `x`, whatever kind of job
// it is:
//
// - a job run by exec (packed, or a phase with retries): exec's own output,
//   and it reads all needed jobs' at once as env PHASE_MATRIX_NEEDS (a JSON
//   list, `toJSON(needs.*.outputs.phase-outputs)`);
// - a plain job (the phase's command inlined in a `shell: bash` step): a
//   fixed-text step before the command points PHASE_OUTPUT at a new file in
//   $RUNNER_TEMP and builds the $PHASE_INPUTS file from the same env
//   PHASE_MATRIX_NEEDS_<n>, by joining those JSON objects' members; after
//   it, step `o` checks the file against the budget and copies it to its
//   own $GITHUB_OUTPUT (the same `key=value` / `key<<DELIM` format, read by
//   the runner), and step `x` keys `toJSON(steps.o.outputs)` by the phase's
//   id. GitHub writes the JSON, so no jq, node or JSON code in bash; the id
//   reaches bash only as an env value (JSON, each `${{` escaped), never in
//   the script. $RUNNER_TEMP is read in bash, not as `${{ runner.temp }}`,
//   which names the host's folder in a `container:` job.
//
// Budget in a plain job: 16 KiB written to $PHASE_OUTPUT, in UTF-8 bytes
// (never fewer than the UTF-16 units GitHub counts), so its JSON, even with
// every character escaped as \uXXXX, stays one environment string below
// Linux's 128 KiB in a dependent's env. O(needs) a job.
import { NEEDS_ENV, NEEDS_ENV_PREFIX } from '../plan/leg-inputs.js'
import { PHASE_OUTPUTS_LIMIT } from '../plan/leg-record.js'
import type { Phase } from '../plan/types.js'
import { escapeExpressions } from './expression-escape.js'
import type { YamlMapping } from './yaml-value.js'

/** A job's output of what its phases wrote (the step with id `x`). */
export const PHASE_OUTPUTS_VALUE = '${{ steps.x.outputs.phase-outputs }}'

/** What the copying step read, as JSON (GitHub's toJSON). */
export const READ_OUTPUTS_VALUE = '${{ toJSON(steps.o.outputs) }}'

/** Every needed job's outputs, a JSON list of their `phase-outputs`. */
const ALL_NEEDED_OUTPUTS_VALUE = '${{ toJSON(needs.*.outputs.phase-outputs) }}'

/** `${{ needs.<job>.outputs.phase-outputs }}`: a needed job's outputs. */
export function neededOutputsValue(job: string): string {
  return `\${{ needs.${job}.outputs.phase-outputs }}`
}

/**
 * Each needed job's outputs as env `PHASE_MATRIX_NEEDS_<n>` (one
 * environment string a job). Nothing without needs.
 */
export function neededOutputsVariables(
  needs: readonly string[]
): Record<string, string> {
  return Object.fromEntries(
    needs.map((need, k) => [
      `${NEEDS_ENV_PREFIX}${k + 1}`,
      neededOutputsValue(need)
    ])
  )
}

/**
 * Exec's env: every needed job's outputs in one value, `PHASE_MATRIX_NEEDS:
 * ${{ toJSON(needs.*.outputs.phase-outputs) }}` (a JSON list of those
 * strings), from which it builds its phases' $PHASE_INPUTS. One line
 * however many jobs it needs, which keeps a packed graph of 5,000 phases
 * within GitHub's 500 KB; the cost: what its needed jobs hand on, all
 * together, must stay one environment string under Linux's 128 KiB.
 * Nothing without needs.
 */
export function neededOutputsEnv(needs: readonly string[]): YamlMapping {
  if (needs.length === 0) return {}
  return { env: { [NEEDS_ENV]: ALL_NEEDED_OUTPUTS_VALUE } }
}

// Fixed text: only env values vary. Each value is `{…}` JSON (or empty);
// its members go into one object, `{}` when no dependency wrote outputs.
// `${!PREFIX@}` (bash 2.04 and later, so macOS's bash 3.2 too) lists the
// variables. mktemp (Linux and macOS) gives files of their own even where
// jobs share a temp folder.
export const IO_SETUP_SCRIPT = `inputs=$(mktemp "$RUNNER_TEMP/phase-inputs.XXXXXX")
output=$(mktemp "$RUNNER_TEMP/phase-output.XXXXXX")
members=''
for name in "\${!${NEEDS_ENV_PREFIX}@}"; do
  value=\${!name}
  value=\${value#\\{}
  value=\${value%\\}}
  if [ -n "$value" ]; then members="\${members:+$members,}$value"; fi
done
printf '{%s}' "$members" > "$inputs"
echo "PHASE_INPUTS=$inputs" >> "$GITHUB_ENV"
echo "PHASE_OUTPUT=$output" >> "$GITHUB_ENV"
`

/**
 * Before a plain job's command: $PHASE_OUTPUT and $PHASE_INPUTS (from the
 * outputs of `needs`, the jobs of its direct dependencies).
 */
export function ioSetupStep(needs: readonly string[]): YamlMapping {
  const step: YamlMapping = {
    name: 'Set up $PHASE_INPUTS and $PHASE_OUTPUT',
    shell: 'bash'
  }
  if (needs.length > 0) step.env = neededOutputsVariables(needs)
  step.run = IO_SETUP_SCRIPT
  return step
}

const n = (value: number): string => value.toLocaleString('en-US')

// Bytes ≥ UTF-16 units: a file within the limit is within GitHub's count.
export const READ_OUTPUTS_SCRIPT = `size=$(($(wc -c < "$PHASE_OUTPUT")))
if [ "$size" -gt ${PHASE_OUTPUTS_LIMIT} ]; then
  echo "::error title=phase-matrix::This phase's outputs are over the ${n(PHASE_OUTPUTS_LIMIT)} characters (16 KiB) a phase may write: $size bytes written to \\$PHASE_OUTPUT. Hand on a file's name (an artifact) instead of its contents."
  exit 1
fi
cat "$PHASE_OUTPUT" >> "$GITHUB_OUTPUT"
`

// No line of toJSON's text is the delimiter: each starts with a brace or
// with spaces and a quoted key.
export const HAND_ON_SCRIPT = `if [ "$PHASE_MATRIX_OUTPUTS" != '{}' ]; then
  {
    echo 'phase-outputs<<PHASE_MATRIX_EOF'
    printf '{%s:%s}\\n' "$PHASE_MATRIX_ID" "$PHASE_MATRIX_OUTPUTS"
    echo 'PHASE_MATRIX_EOF'
  } >> "$GITHUB_OUTPUT"
fi
`

/** After a plain job's command: its outputs as the job output `phase-outputs`. */
export function handOnSteps(phase: Phase): YamlMapping[] {
  return [
    {
      id: 'o',
      name: 'Read $PHASE_OUTPUT',
      shell: 'bash',
      run: READ_OUTPUTS_SCRIPT
    },
    {
      id: 'x',
      name: "Hand on the phase's outputs",
      shell: 'bash',
      env: {
        PHASE_MATRIX_ID: escapeExpressions(JSON.stringify(phase.id)),
        PHASE_MATRIX_OUTPUTS: READ_OUTPUTS_VALUE
      },
      run: HAND_ON_SCRIPT
    }
  ]
}

/** The command step's env of a plain job without the setup step: outputs go nowhere. */
export const DISCARDED_OUTPUTS_ENV = { PHASE_OUTPUT: '/dev/null' }
