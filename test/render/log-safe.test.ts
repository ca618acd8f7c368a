import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { logSafe } from '../../src/render/safe-text.js'
import { carriesWorkflowCommand } from '../support/workflow-command.js'

describe('logSafe', () => {
  test.each([
    '::warning file=x.js,line=1::INJECTED',
    '   ::add-mask::x',
    '\t::stop-commands::abc',
    '\u0085::warning::nel',
    'build##[error]x',
    'k\n::warning title=FAKE::x\n',
    'a\r::error::b',
    'a\r\n  ::group::b'
  ])('%j is inert', text => {
    expect(carriesWorkflowCommand(text)).toBe(true)
    expect(carriesWorkflowCommand(logSafe(text))).toBe(false)
  })

  test('reads the same once zero-width spaces are dropped', () => {
    expect(logSafe('  ::x::y ##[z]').replace(/\u200b/g, '')).toBe(
      '  ::x::y ##[z]'
    )
    expect(logSafe('a: b :: c')).toBe('a: b :: c')
  })

  test('any text whatsoever comes out inert', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            ':',
            '#',
            '[',
            ' ',
            '\t',
            '\r',
            '\n',
            'a',
            '\u200b',
            '\u0085'
          )
        ),
        chars => !carriesWorkflowCommand(logSafe(chars.join('')))
      )
    )
  })
})
