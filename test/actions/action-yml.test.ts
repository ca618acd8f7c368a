// action.yml files and the name table (constants.ts) must agree, so that a
// documented input is one the code reads and every output is described.
import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import {
  ExecInputs,
  ExecOutputs,
  PlanInputs,
  PlanOutputs,
  SettleInputs,
  SettleOutputs
} from '../../src/actions/constants.js'
import { REPO_ROOT } from '../support/run-action.js'

interface ActionFile {
  name: string
  description: string
  branding?: { icon: string; color: string }
  inputs: Record<
    string,
    { description: string; default?: string; required?: boolean }
  >
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string }
}

function actionFile(file: string): ActionFile {
  return parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as ActionFile
}

describe.each([
  ['action.yml', PlanInputs, PlanOutputs, 'dist/index.js'],
  ['settle/action.yml', SettleInputs, SettleOutputs, 'dist/settle/index.js'],
  ['exec/action.yml', ExecInputs, ExecOutputs, 'dist/exec/index.js']
])('%s', (file, inputs, outputs, bundle) => {
  const action = actionFile(file)

  test('inputs and outputs are exactly the name table, each described', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(
      Object.values(inputs).sort()
    )
    expect(Object.keys(action.outputs).sort()).toEqual(
      Object.values(outputs).sort()
    )
    for (const entry of [
      ...Object.values(action.inputs),
      ...Object.values(action.outputs)
    ]) {
      expect(entry.description.length).toBeGreaterThan(20)
    }
  })

  test('runs on node24 from the shared dist/', () => {
    expect(action.runs.using).toBe('node24')
    expect(
      path.normalize(path.join(path.dirname(file), action.runs.main))
    ).toBe(path.normalize(bundle))
    expect(action.branding).toBeDefined()
  })
})

test('settle defaults: no token, allow-failure false, state required', () => {
  const settle = actionFile('settle/action.yml')
  expect(Object.keys(settle.inputs)).not.toContain('github-token')
  expect(settle.inputs['allow-failure']?.default).toBe('false')
  expect(settle.inputs['state']?.required).toBe(true)
})
