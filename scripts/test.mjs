// `npm test`: type-check, lint + format check and the bundle build run side
// by side (each is mostly one core, and the machine may have two), their
// output printed whole as each ends; then the README tables check and every
// jest test. Fails at the first step that fails, naming it.
import { spawn } from 'node:child_process'

function run(name, command, args) {
  return new Promise(resolve => {
    const started = Date.now()
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const output = []
    child.stdout.on('data', chunk => output.push(chunk))
    child.stderr.on('data', chunk => output.push(chunk))
    child.on('close', code => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1)
      process.stdout.write(`\n> ${name} (${seconds} s, exit ${code})\n`)
      process.stdout.write(Buffer.concat(output))
      resolve(code === 0)
    })
  })
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const side = await Promise.all([
  run('typecheck', npm, ['run', '--silent', 'typecheck']),
  run('lint', npm, ['run', '--silent', 'lint']),
  run('build', npm, ['run', '--silent', 'build'])
])
if (side.includes(false)) {
  console.error('\nnpm test: type-check, lint or build failed (output above).')
  process.exitCode = 1
} else {
  const steps = [
    ['readme tables', 'node', ['scripts/readme-tables.mjs', '--check']],
    ['jest', npm, ['run', '--silent', 'jest']]
  ]
  for (const [name, command, args] of steps) {
    console.log(`\n> ${name}`)
    const code = await new Promise(resolve => {
      spawn(command, args, { stdio: 'inherit' }).on('close', resolve)
    })
    if (code !== 0) {
      console.error(`\nnpm test: ${name} failed.`)
      process.exitCode = 1
      break
    }
  }
}
