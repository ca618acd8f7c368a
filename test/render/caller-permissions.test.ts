import { describe, expect, test } from '@jest/globals'
import { callerPermissionProblems } from '../../src/render/caller-permissions.js'

const USES = 'phase-matrix/phase-matrix/.github/workflows/phases.yml@v1'

function warnings(text: string) {
  return callerPermissionProblems(text, '.github/workflows/ci.yml')
}

describe('callers of phases.yml without actions: read', () => {
  test('job-level permissions without actions: a warning at the uses: line with GitHub’s message', () => {
    const problems = warnings(
      `on: push\npermissions:\n  actions: read\njobs:\n  phases:\n    permissions:\n      contents: read\n    uses: ${USES}\n`
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
      "The nested job 'settle-1' is requesting 'actions: read', but is only allowed 'actions: none'."
    )
    expect(problems[0]!.message).toContain('job `phases`')
  })

  test('the job’s permissions win over the workflow’s; read-all, write-all and actions: write grant it', () => {
    for (const grant of [
      'read-all',
      'write-all',
      '\n      actions: read',
      '\n      actions: write\n      contents: read'
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
        `on: push\npermissions:\n  contents: read\n  actions: read\njobs:\n  phases:\n    uses: ./.github/workflows/phases.yml\n`
      )
    ).toEqual([])
    const none = warnings(
      `on: push\npermissions: {}\njobs:\n  phases:\n    uses: ./.github/workflows/phases.yml\n`
    )
    expect(none).toHaveLength(1)
    expect(none[0]!.message).toContain('permissions of the workflow')
  })

  test('no permissions anywhere: a softer warning about the repository default', () => {
    const problems = warnings(
      `on: push\njobs:\n  backend:\n    uses: ${USES}\n  frontend:\n    uses: someone/fork/.github/workflows/phases.yaml@main\n    permissions:\n      actions: read\n`
    )
    expect(problems).toHaveLength(1)
    expect(problems[0]!.message).toMatch(
      /sets no permissions .*repository's default .*If that default is restricted/
    )
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
