// The run context as inputs.ts reads it from the runner's environment.
import { describe, expect, test } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  pullRequestOfEvent,
  readExecSettings,
  readRunContext,
  readSettleSettings
} from '../../src/actions/inputs.js'
import { workspaceWith } from '../support/run-action.js'

describe('readRunContext', () => {
  test('reads what the runner sets for every step', () => {
    expect(
      readRunContext(
        {
          GITHUB_REPOSITORY: 'octo/shop',
          GITHUB_EVENT_NAME: 'pull_request',
          GITHUB_EVENT_PATH: '/tmp/event.json',
          GITHUB_RUN_ID: '123456789012',
          GITHUB_RUN_ATTEMPT: '3',
          RUNNER_NAME: 'GitHub Actions 7',
          GITHUB_API_URL: 'https://ghe.example/api/v3',
          GITHUB_WORKSPACE: '/home/runner/work/shop/shop',
          GITHUB_STEP_SUMMARY: '/tmp/summary'
        },
        '/home/runner/work/shop/shop/sub'
      )
    ).toEqual({
      repository: { owner: 'octo', repo: 'shop' },
      eventName: 'pull_request',
      eventPath: '/tmp/event.json',
      runId: 123456789012,
      runAttempt: 3,
      runnerName: 'GitHub Actions 7',
      apiUrl: 'https://ghe.example/api/v3',
      workspace: '/home/runner/work/shop/shop',
      cwd: '/home/runner/work/shop/shop/sub',
      stepSummary: true
    })
  })

  test('outside a runner: defaults, never a guess', () => {
    expect(
      readRunContext(
        {
          GITHUB_REPOSITORY: 'no-slash',
          GITHUB_RUN_ATTEMPT: '0',
          RUNNER_NAME: ''
        },
        '/x'
      )
    ).toEqual({
      repository: undefined,
      eventName: '',
      eventPath: '',
      runId: undefined,
      runAttempt: 1,
      runnerName: undefined,
      apiUrl: 'https://api.github.com',
      workspace: undefined,
      cwd: '/x',
      stepSummary: false
    })
  })

  test("the event's pull request, or undefined for another event or an unreadable file", () => {
    const dir = workspaceWith({})
    const file = path.join(dir, 'event.json')
    const context = { ...readRunContext({}, dir), eventPath: file }
    writeFileSync(
      file,
      JSON.stringify({ pull_request: { number: 7, base: { sha: 'abc' } } })
    )
    expect(pullRequestOfEvent(context)).toEqual({ number: 7, baseSha: 'abc' })
    writeFileSync(file, JSON.stringify({ ref: 'refs/heads/main' }))
    expect(pullRequestOfEvent(context)).toBeUndefined()
    writeFileSync(file, '{not json')
    expect(pullRequestOfEvent(context)).toBeUndefined()
    expect(
      pullRequestOfEvent({ ...context, eventPath: path.join(dir, 'none') })
    ).toBeUndefined()
  })
})

describe('required inputs', () => {
  test('an empty state or phases input says what to pass', () => {
    const saved = { ...process.env }
    try {
      process.env['INPUT_STATE'] = '  '
      expect(() => readSettleSettings()).toThrow(
        "Input 'state' is empty. Pass the state output of the plan step or of the previous settle step."
      )
      process.env['INPUT_PHASES'] = ''
      expect(() => readExecSettings()).toThrow(
        "Input 'phases' is empty. Pass the leg's phases: ${{ toJSON(matrix.phases) }}."
      )
      process.env['INPUT_PHASES'] = 'a,b'
      expect(readExecSettings().phases).toBe('a,b')
    } finally {
      process.env = saved
    }
  })
})
