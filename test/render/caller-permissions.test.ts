import { describe, expect, test } from '@jest/globals'
import { callerPermissionProblems } from '../../src/render/caller-permissions.js'

const USES = 'phase-matrix/phase-matrix/.github/workflows/phases.yml@v1'

function warnings(text: string) {
  return callerPermissionProblems(text, '.github/workflows/ci.yml')
}

describe('callers of phases.yml without contents: read', () => {
  test('job-level permissions without contents: a warning at the uses: line with GitHub’s message', () => {
    const problems = warnings(
      `on: push\npermissions:\n  contents: read\njobs:\n  phases:\n    permissions:\n      actions: read\n    uses: ${USES}\n`
    )
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      code: 'permissions',
      severity: 'warning',
      file: '.github/workflows/ci.yml',
      line: 8,
      column: 5
    })
    expect(problems[0]!.message).toContain(
      "The nested job 'plan' is requesting 'contents: read', but is only allowed 'contents: none'."
    )
    expect(problems[0]!.message).toContain('job `phases`')
  })

  test('the job’s permissions win over the workflow’s; read-all, write-all and contents: write grant it; actions: read is not needed', () => {
    for (const grant of [
      'read-all',
      'write-all',
      '\n      contents: read',
      '\n      contents: write\n      pull-requests: read'
    ]) {
      expect(
        warnings(
          `on: push\npermissions: {}\njobs:\n  phases:\n    permissions: ${grant}\n    uses: ${USES}\n`
        )
      ).toEqual([])
    }
    // Only the workflow level: it applies.
    expect(
      warnings(
        `on: push\npermissions:\n  contents: read\njobs:\n  phases:\n    uses: ./.github/workflows/phases.yml\n`
      )
    ).toEqual([])
    const none = warnings(
      `on: push\npermissions: {}\njobs:\n  phases:\n    uses: ./.github/workflows/phases.yml\n`
    )
    expect(none).toHaveLength(1)
    expect(none[0]!.message).toContain('permissions of the workflow')
  })

  test('no permissions anywhere: no warning (every default token may read contents)', () => {
    expect(
      warnings(
        `on: push\njobs:\n  backend:\n    uses: ${USES}\n  frontend:\n    uses: someone/fork/.github/workflows/phases.yaml@main\n`
      )
    ).toEqual([])
  })

  test('other reusable workflows, steps and broken files are left alone', () => {
    expect(
      warnings(
        'on: push\npermissions: {}\njobs:\n  a:\n    uses: org/repo/.github/workflows/other.yml@v1\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n'
      )
    ).toEqual([])
    expect(warnings('jobs: [unclosed')).toEqual([])
    expect(warnings('just text')).toEqual([])
  })
})
