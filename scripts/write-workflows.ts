// Entry of `npm run workflows` (compiled and run by write-workflows.mjs):
// writes each generated workflow that differs from what the generator
// writes now, and says which it wrote.
import { readFileSync, writeFileSync } from 'node:fs'
import { generatedWorkflows } from './generated-workflows.js'

function committedText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

for (const { path, text } of generatedWorkflows()) {
  if (committedText(path) === text) {
    console.log(`${path} is current`)
  } else {
    writeFileSync(path, text)
    console.log(`wrote ${path}`)
  }
}
