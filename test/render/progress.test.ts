import { describe, expect, test } from '@jest/globals'
import { executingBatchLine, phaseLine } from '../../src/render/report.js'

describe('progress lines', () => {
  test('the batch (round) handed out of the rounds there are, with a note', () => {
    expect(executingBatchLine(2, 3, ['a', 'b'])).toBe(
      'Executing batch 2/3 with 2 phase(s): a, b'
    )
    expect(executingBatchLine(1, 1, ['a'], ' [note]')).toBe(
      'Executing batch 1/1 with 1 phase(s) [note]: a'
    )
  })

  test('what became of a phase', () => {
    expect(phaseLine('a', 'succeeded', '', 62)).toBe(
      '✓ Phase a completed: success (1m 02s)'
    )
    expect(phaseLine('a', 'failed', 'job concluded failure', undefined)).toBe(
      '✗ Phase a completed: failed (job concluded failure)'
    )
    expect(phaseLine('b', 'skipped', 'dependency a failed', 3)).toBe(
      '⊘ Phase b skipped: dependency a failed'
    )
  })
})
