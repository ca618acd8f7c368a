import { describe, expect, test } from '@jest/globals'

import { parsePlan } from '../../src/plan/load.js'
import type { Problem } from '../../src/plan/types.js'

const GLOB =
  "must be a glob relative to the repository root, like packages/db/** or '!**/*.md' (quoted: a bare ! is a YAML tag), with no leading /, no `..`, no braces, no backslashes, got"

const said = (p: Problem): string =>
  `${p.line}:${p.column} ${p.severity} ${p.message} [${p.code}]`

describe('inputs and global_inputs as plan fields', () => {
  test('read in order, empty lists count as not given', () => {
    const result = parsePlan(
      [
        'global_inputs: [package-lock.json, .nvmrc]',
        'phases:',
        '  - id: a',
        "    inputs: [packages/a/**, '!**/*.md']",
        '  - id: b',
        '    inputs: []',
        '  - id: c'
      ].join('\n'),
      'plan.yaml'
    )
    expect(result.problems).toEqual([])
    expect(result.plan?.globalInputs).toEqual(['package-lock.json', '.nvmrc'])
    expect(result.plan?.phases.map(p => p.inputs)).toEqual([
      ['packages/a/**', '!**/*.md'],
      undefined,
      undefined
    ])
  })

  test('wrong types and bad globs: every one with its line and column', () => {
    const text = [
      'global_input: [a]',
      'global_inputs: [package-lock.json, 5, /abs]',
      'phases:',
      '  - id: a',
      "    inputs: [packages/a/**, '!**/*.md', ../x, 'b{c,d}']",
      '  - id: b',
      '    inputs: packages/b',
      '    deps: [a]',
      '  - id: c',
      '    inputs: [7, true, {x: 1}]',
      '  - id: d',
      '    input: [x]'
    ].join('\n')
    const result = parsePlan(text, 'plan.yaml')
    expect(result.problems.map(said)).toEqual([
      '1:1 warning unknown key `global_input` at the top of the plan is ignored: did you mean `global_inputs`? [unknown-key]',
      '2:36 error global input 5 is a number; write it in quotes: "5" [schema]',
      `2:39 error global input ${GLOB} "/abs" [schema]`,
      `5:41 error input of phase a ${GLOB} "../x" [schema]`,
      `5:47 error input of phase a ${GLOB} "b{c,d}" [schema]`,
      '7:13 error inputs of phase b must be a list of globs of the files the phase reads, like [packages/db/**, "!**/*.md"], got "packages/b"; write inputs: [packages/b] [schema]',
      '10:14 error input 7 of phase c is a number; write it in quotes: "7" [schema]',
      '10:17 error input true of phase c is a boolean; write it in quotes: "true" [schema]',
      `10:23 error input of phase c ${GLOB} a mapping [schema]`,
      '12:5 warning unknown key `input` in phase d: did you mean `inputs`? [unknown-key]'
    ])
    // The phases stay, so the graph is checked in the same run.
    expect(result.plan?.phases.map(p => p.id)).toEqual(['a', 'b', 'c', 'd'])
  })
})
