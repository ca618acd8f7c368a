// The deepest import chain from a bundle entry (src/entries/*.ts), in files,
// and any import cycle: `node scripts/import-depth.mjs [--values]`. Every
// relative import counts (`--values`: type-only imports left out). A
// measurement for the layout, not a check CI runs. O(files + imports).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

const valuesOnly = process.argv.includes('--values')
const files = []
const walk = folder => {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const file = path.join(folder, entry.name)
    if (entry.isDirectory()) walk(file)
    else if (file.endsWith('.ts')) files.push(file)
  }
}
walk('src')

const IMPORT = /^(?:import|export)\s+(type\s+)?([^;]*?)\s+from\s+'(\.[^']+)'/gms
const typeOnly = names =>
  /^\{[^}]*\}$/s.test(names) &&
  names
    .replace(/[{}\s]/g, '')
    .split(',')
    .filter(Boolean)
    .every(name => name.startsWith('type'))
const imports = new Map()
for (const file of files) {
  const targets = new Set()
  for (const [, type, names, spec] of readFileSync(file, 'utf8').matchAll(
    IMPORT
  )) {
    if (valuesOnly && (type !== undefined || typeOnly(names))) continue
    const target = path.join(path.dirname(file), spec.replace(/\.js$/, '.ts'))
    if (existsSync(target)) targets.add(target)
  }
  imports.set(file, [...targets])
}

// Longest chain below each file, depth first; an edge back onto the
// current path is a cycle, reported and not followed.
const longest = new Map()
const onPath = new Set()
const cycles = []
const chainFrom = (file, stack) => {
  const known = longest.get(file)
  if (known !== undefined) return known
  onPath.add(file)
  stack.push(file)
  let best = [file]
  for (const target of imports.get(file) ?? []) {
    if (onPath.has(target)) {
      cycles.push([...stack.slice(stack.indexOf(target)), target])
      continue
    }
    const below = chainFrom(target, stack)
    if (below.length + 1 > best.length) best = [file, ...below]
  }
  stack.pop()
  onPath.delete(file)
  longest.set(file, best)
  return best
}
let deepest = []
for (const file of files.filter(file => file.startsWith('src/entries/'))) {
  const chain = chainFrom(file, [])
  if (chain.length > deepest.length) deepest = chain
}
console.log(
  `${files.length} files; deepest chain from an entry: ${deepest.length} files`
)
console.log(`  ${deepest.join('\n  -> ')}`)
for (const cycle of cycles) console.log(`cycle: ${cycle.join(' -> ')}`)
