import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { parse } from 'yaml'
import {
  commentSafe,
  isVisibleText,
  toWorkflowYaml,
  type YamlMapping
} from '../../src/render/yaml.js'

/** Read back under both YAML versions, as GitHub and 1.1 tools would. */
function readBack(text: string): unknown[] {
  return [
    parse(text, { version: '1.2' }) as unknown,
    parse(text, { version: '1.1' }) as unknown
  ]
}

// Words YAML 1.1 (or 1.2) would read as booleans, null, numbers, dates…
const TRICKY = [
  'no',
  'No',
  'NO',
  'yes',
  'y',
  'n',
  'on',
  'On',
  'off',
  'true',
  'False',
  'null',
  'Null',
  '~',
  '',
  ' ',
  '12:30',
  '1:20:30',
  '0o7',
  '07',
  '0x1F',
  '1e3',
  '1e5',
  'e0',
  'E5',
  'e+3',
  'e-1',
  '.5e3',
  '0x10',
  '0b101',
  '+1',
  '-0',
  'Yes',
  'OFF',
  'Y',
  '1_000',
  '.inf',
  '-.INF',
  '.nan',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '=',
  '<<',
  '- x',
  '? x',
  '# x',
  'a: b',
  'a #b',
  '!tag',
  '&anchor',
  '*alias',
  '%YAML',
  '@at',
  '`tick',
  '"quoted"',
  "'single'",
  '[a]',
  '{a: 1}',
  '|',
  '>',
  'trailing ',
  ' leading',
  '---',
  '...',
  'x\ny',
  'tab\there'
]

describe('toWorkflowYaml', () => {
  test.each(TRICKY)('%j stays the same string as a value and a key', word => {
    const value: YamlMapping = { v: word, list: [word], map: { [word]: word } }
    const text = toWorkflowYaml(value)
    for (const back of readBack(text)) expect(back).toEqual(value)
  })

  test('the 1.1 words are quoted, safe words are plain', () => {
    const text = toWorkflowYaml({
      on: { push: null },
      a: 'no',
      b: '12:30',
      c: 'ubuntu-latest',
      d: 'actions/checkout@v5',
      e: 'always()'
    })
    expect(text).toBe(
      [
        "'on':",
        '  push:',
        "a: 'no'",
        "b: '12:30'",
        'c: ubuntu-latest',
        'd: actions/checkout@v5',
        'e: always()',
        ''
      ].join('\n')
    )
  })

  test('numbers and booleans keep their type', () => {
    const value = { t: 30, f: 0.5, yes: true, no: false, none: null }
    for (const back of readBack(toWorkflowYaml(value)))
      expect(back).toEqual(value)
  })

  test('multi-line text is a literal block, but not with an expression in it', () => {
    const text = toWorkflowYaml({ a: 'one\n  two\n', b: 'x ${{ y }}\nz' })
    expect(text).toContain('a: |\n  one\n    two\n')
    expect(text).toContain('b: "x ${{ y }}\\nz"')
  })

  test('line breaks, controls, invisible and bidi characters are escaped', () => {
    const nasty =
      'a\rb\u0085c\u2028d\u2029e\u202ef\u200bg\ufeffh\u0000i\u001bj\ud800k'
    const text = toWorkflowYaml({ v: nasty })
    for (const line of text.split('\n')) expect(isVisibleText(line)).toBe(true)
    expect(text).toContain('\\r')
    expect(text).toContain('\\u2028')
    expect(text).toContain('\\u202E')
    for (const back of readBack(text)) expect(back).toEqual({ v: nasty })
  })

  test('any string survives as a value, a key and a list item (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), text => {
        const value: YamlMapping = { v: text, l: [text, 'x'], m: { [text]: 1 } }
        const out = toWorkflowYaml(value)
        for (const line of out.split('\n'))
          expect(isVisibleText(line)).toBe(true)
        for (const back of readBack(out)) expect(back).toEqual(value)
      }),
      { numRuns: 500 }
    )
  })

  test('number-, boolean- and null-like words survive in both schemas (property)', () => {
    // Pieces of YAML 1.1 and 1.2 numbers, booleans, nulls and dates, so that
    // the runs hit `e0`, `1_0`, `.inf`, `0x1F`, `+1`, `Yes`, `~`, `1:20`…
    const piece = fc.constantFrom(
      ...['e', 'E', '0', '1', '7', '_', '.', '+', '-', ':', 'x', 'o', 'b'],
      ...['inf', 'nan', 'Yes', 'off', 'On', 'n', '~', 'null', 'true', '<<']
    )
    const word = fc.oneof(
      fc.constantFrom(...TRICKY),
      fc.array(piece, { minLength: 1, maxLength: 6 }).map(p => p.join(''))
    )
    fc.assert(
      fc.property(word, text => {
        const value: YamlMapping = { [text]: text, l: [text] }
        for (const back of readBack(toWorkflowYaml(value))) {
          expect(back).toEqual(value)
        }
      }),
      { numRuns: 1000 }
    )
  })

  test('the same input gives the same bytes', () => {
    const value = { b: { y: ['1', 'no'], x: 'z' }, a: 'q' }
    expect(toWorkflowYaml(value, ['h'])).toBe(toWorkflowYaml(value, ['h']))
    expect(toWorkflowYaml(value).indexOf('b:')).toBe(0)
  })

  test('header lines become comments; a line break in one is refused', () => {
    expect(toWorkflowYaml({ a: 'b' }, ['one', '', 'two'])).toBe(
      '# one\n#\n# two\na: b\n'
    )
    expect(() => toWorkflowYaml({ a: 'b' }, ['x\nevil: 1'])).toThrow(
      /line break/
    )
    expect(() => toWorkflowYaml({ a: 'b' }, ['x\revil: 1'])).toThrow(
      /line break/
    )
  })

  test('comments are attached by path and cannot break out', () => {
    const text = toWorkflowYaml(
      { jobs: { a: { steps: [{ uses: 'x' }] } } },
      [],
      [
        {
          path: ['jobs', 'a'],
          before: ['about a', 'evil\r: 1'],
          spaceBefore: true
        },
        { path: ['jobs', 'a', 'steps', 0, 'uses'], after: 'v1\u2028x: 2' }
      ]
    )
    expect(text).toBe(
      [
        'jobs:',
        '',
        '  # about a',
        '  # evil\\u{D}: 1',
        '  a:',
        '    steps:',
        '      - uses: x # v1\\u{2028}x: 2',
        ''
      ].join('\n')
    )
  })
})

describe('commentSafe', () => {
  test('keeps visible text and escapes the rest', () => {
    expect(commentSafe('plain ${{ x }} text')).toBe('plain ${{ x }} text')
    expect(commentSafe('a\nb')).toBe('a b')
    expect(commentSafe('a\u0085b')).toBe('a\\u{85}b')
  })
})
