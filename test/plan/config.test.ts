import { describe, expect, test } from '@jest/globals'

import { parseConfig, resolveSettings } from '../../src/plan/config.js'
import { DEFAULT_PARALLEL_SETTINGS } from '../../src/plan/types.js'
import type { Problem } from '../../src/plan/types.js'

const where = (p: Problem): string =>
  `${p.line}:${p.column} ${p.severity} ${p.code}`

describe('parseConfig', () => {
  test('the seed config', () => {
    const text = [
      'parallel:',
      '  enabled: true',
      '  max_workers: 3',
      '  resource_limits:',
      '    max_memory_mb: 8192',
      '    max_cpu_percent: 80',
      '  fail_fast: false  # Continue even if one phase fails'
    ].join('\n')
    expect(parseConfig(text, 'config.yaml')).toEqual({
      settings: {
        enabled: true,
        maxWorkers: 3,
        failFast: false,
        resourceLimits: { maxMemoryMb: 8192, maxCpuPercent: 80 }
      },
      problems: []
    })
  })

  test('an empty file, a comment, or `parallel:` with nothing set nothing', () => {
    for (const text of [
      '',
      '# no settings\n',
      'parallel:\n',
      'parallel: ~\n'
    ]) {
      expect(parseConfig(text, 'c.yaml')).toEqual({
        settings: {},
        problems: []
      })
    }
  })

  test("the origin tool's other top-level keys are ignored silently", () => {
    const result = parseConfig(
      'model: gpt\nretries: 3\nhooks: {pre: [a, b]}\nparallel:\n  max_workers: 2\n',
      'c.yaml'
    )
    expect(result).toEqual({ settings: { maxWorkers: 2 }, problems: [] })
  })

  test('every bad setting is reported at once, at its value; good ones are kept', () => {
    const text = [
      'parallel:', // 1
      '  enabled: yes', // 2
      '  max_workers: 0', // 3
      '  fail_fast: true', // 4
      '  resource_limits:', // 5
      '    max_memory_mb: -1', // 6
      '    max_cpu_percent: 150' // 7
    ].join('\n')
    const result = parseConfig(text, 'c.yaml')
    expect(result.problems.map(p => [where(p), p.message])).toEqual([
      [
        '2:12 error schema',
        'parallel.enabled must be true or false, got "yes" (YAML 1.2 reads yes/no/on/off as strings)'
      ],
      [
        '3:16 error schema',
        'parallel.max_workers must be a whole number from 1 to 256, got 0 (a number)'
      ],
      [
        '6:20 error schema',
        'parallel.resource_limits.max_memory_mb must be a positive number of megabytes, got -1 (a number)'
      ],
      [
        '7:22 error schema',
        'parallel.resource_limits.max_cpu_percent must be a number from 1 to 100, got 150 (a number)'
      ]
    ])
    expect(result.settings).toEqual({ failFast: true })
  })

  test('max_workers must be a whole number, not a fraction or a string', () => {
    for (const [written, got] of [
      ['2.5', '2.5 (a number)'],
      ['"3"', '"3"'],
      ['[3]', 'a list']
    ]) {
      const result = parseConfig(
        `parallel:\n  max_workers: ${written}\n`,
        'c.yaml'
      )
      expect(result.problems.map(p => [where(p), p.message])).toEqual([
        [
          '2:16 error schema',
          `parallel.max_workers must be a whole number from 1 to 256, got ${got}`
        ]
      ])
      expect(result.settings).toEqual({})
    }
  })

  test('max_cpu_percent accepts 1 to 100', () => {
    for (const [value, ok] of [
      [1, true],
      [100, true],
      [55.5, true],
      [0, false],
      [101, false]
    ] as const) {
      const result = parseConfig(
        `parallel:\n  resource_limits: {max_cpu_percent: ${value}}\n`,
        'c.yaml'
      )
      expect(result.problems.length === 0).toBe(ok)
      expect(result.settings.resourceLimits?.maxCpuPercent).toBe(
        ok ? value : undefined
      )
    }
  })

  test('resource_limits with nothing valid in it sets no limits', () => {
    for (const limits of ['{}', '{max_cpu_percent: 0}']) {
      const result = parseConfig(
        `parallel:\n  max_workers: 2\n  resource_limits: ${limits}\n`,
        'c.yaml'
      )
      expect(result.settings).toEqual({ maxWorkers: 2 })
    }
  })

  test('unknown keys inside `parallel` are warnings with suggestions', () => {
    const result = parseConfig(
      [
        'parallel:',
        '  max_worker: 4',
        '  failfast: true',
        '  workers: 2',
        '  colour: blue',
        '  resource_limits:',
        '    max_memory: 1024',
        '    cpu: 50'
      ].join('\n'),
      'c.yaml'
    )
    expect(result.problems.map(p => [where(p), p.message])).toEqual([
      [
        '2:3 warning unknown-key',
        'unknown key `max_worker` in `parallel`: did you mean `max_workers`?'
      ],
      [
        '3:3 warning unknown-key',
        'unknown key `failfast` in `parallel`: did you mean `fail_fast`?'
      ],
      [
        '4:3 warning unknown-key',
        'unknown key `workers` in `parallel`: did you mean `max_workers`?'
      ],
      [
        '5:3 warning unknown-key',
        'unknown key `colour` in `parallel` is ignored; it has enabled, max_workers, fail_fast, retries, resource_limits'
      ],
      [
        '7:5 warning unknown-key',
        'unknown key `max_memory` in `parallel.resource_limits`: did you mean `max_memory_mb`?'
      ],
      [
        '8:5 warning unknown-key',
        'unknown key `cpu` in `parallel.resource_limits`: did you mean `max_cpu_percent`?'
      ]
    ])
    expect(result.settings).toEqual({})
  })

  test('a merge key is named as one, in `parallel` as in a phase', () => {
    const text = 'base: &b {max_workers: 2}\nparallel:\n  <<: *b\n'
    expect(
      parseConfig(text, 'c.yaml').problems.map(p => [where(p), p.message])
    ).toEqual([
      [
        '3:3 warning unknown-key',
        'merge key `<<` in `parallel` is ignored: YAML 1.2 has no merge keys; write the keys out'
      ]
    ])
  })

  test('wrong shapes are schema errors; YAML errors keep their positions', () => {
    expect(parseConfig('- parallel\n', 'c.yaml').problems.map(where)).toEqual([
      '1:1 error schema'
    ])
    const notMapping = parseConfig('parallel: [1, 2]\n', 'c.yaml')
    expect(notMapping.problems.map(p => [where(p), p.message])).toEqual([
      [
        '1:11 error schema',
        '`parallel` must be a mapping of settings (enabled, max_workers, fail_fast, retries, resource_limits), got a list'
      ]
    ])
    const limits = parseConfig('parallel:\n  resource_limits: 80\n', 'c.yaml')
    expect(limits.problems.map(where)).toEqual(['2:20 error schema'])
    const duplicate = parseConfig(
      'parallel:\n  max_workers: 2\n  max_workers: 3\n',
      'c.yaml'
    )
    expect(duplicate.problems.map(where)).toEqual(['3:3 error yaml'])
  })

  test('aliases work, and a YAML 1.1 `on` is a string, not true', () => {
    const result = parseConfig(
      'defaults: &d {max_workers: 2, fail_fast: on}\nparallel: *d\n',
      'c.yaml'
    )
    expect(result.settings).toEqual({ maxWorkers: 2 })
    expect(result.problems.map(p => [where(p), p.message])).toEqual([
      [
        '2:11 error schema',
        'parallel.fail_fast must be true or false, got "on" (YAML 1.2 reads yes/no/on/off as strings)'
      ]
    ])
  })
})

describe('resolveSettings', () => {
  test('defaults when nothing is set', () => {
    expect(resolveSettings({}, {})).toEqual(DEFAULT_PARALLEL_SETTINGS)
  })

  test('the config beats the defaults; overrides beat the config', () => {
    const config = { maxWorkers: 3, failFast: true }
    expect(resolveSettings(config, {})).toEqual({
      enabled: true,
      maxWorkers: 3,
      failFast: true
    })
    expect(resolveSettings(config, { maxWorkers: 5, failFast: false })).toEqual(
      { enabled: true, maxWorkers: 5, failFast: false }
    )
    expect(resolveSettings({}, { failFast: true })).toEqual({
      enabled: true,
      maxWorkers: 0,
      failFast: true
    })
  })

  test('`enabled: false` runs one phase at a time, unless an override says otherwise', () => {
    expect(resolveSettings({ enabled: false, maxWorkers: 4 }, {})).toEqual({
      enabled: false,
      maxWorkers: 1,
      failFast: false
    })
    expect(
      resolveSettings({ enabled: false }, { maxWorkers: 2 }).maxWorkers
    ).toBe(2)
  })

  test('resource limits pass through as a copy', () => {
    const limits = { maxMemoryMb: 1024, maxCpuPercent: 50 }
    const settings = resolveSettings({ resourceLimits: limits }, {})
    expect(settings.resourceLimits).toEqual(limits)
    expect(settings.resourceLimits).not.toBe(limits)
  })
})
