// Every relative link in our Markdown leads somewhere: the file exists and,
// with a #fragment, the heading does (GitHub's anchor rule: lower case,
// punctuation dropped, spaces to hyphens, -1, -2 … for repeats).
import { describe, expect, test } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { markdownFiles } from './support/markdown-files.js'

function withoutCode(text: string): string {
  return text.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '``')
}

function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  const body = text.replace(/^```[\s\S]*?^```$/gm, '')
  for (const match of body.matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = (match[1] ?? '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, '')
      .replace(/ /g, '-')
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    anchors.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return anchors
}

const links = markdownFiles().flatMap(file => {
  const text = withoutCode(readFileSync(file, 'utf8'))
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map(match => match[1] ?? '')
    .filter(target => !/^[a-z]+:/i.test(target))
    .map(target => [file, target] as const)
})

describe('links in the Markdown files', () => {
  test('there are links to check', () => {
    expect(links.length).toBeGreaterThan(5)
  })

  test.each(links)('%s → %s', (file, target) => {
    const [where = '', fragment] = target.split('#')
    const resolved = where === '' ? file : path.join(path.dirname(file), where)
    expect(existsSync(resolved)).toBe(true)
    if (fragment !== undefined && resolved.endsWith('.md')) {
      expect([...anchorsOf(readFileSync(resolved, 'utf8'))]).toContain(fragment)
    }
  })
})
