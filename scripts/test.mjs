// `npm test`: the type check, lint + format check, README tables check and
// the bundle build start side by side (each is mostly one core, and the
// machine may have two); jest starts as soon as the build ends, since some
// tests run the bundles, while the checks may still be running, with a
// worker per core. Each step's
// output is printed whole as it ends (jest's streams). Fails when any step
// fails, naming every one that did.
import { spawn } from 'node:child_process'
import { availableParallelism } from 'node:os'

function run(name, command, args, { stream = false } = {}) {
  return new Promise(resolve => {
    const started = Date.now()
    const child = spawn(command, args, {
      stdio: [
        'ignore',
        stream ? 'inherit' : 'pipe',
        stream ? 'inherit' : 'pipe'
      ]
    })
    const output = []
    child.stdout?.on('data', chunk => output.push(chunk))
    child.stderr?.on('data', chunk => output.push(chunk))
    if (stream) process.stdout.write(`\n> ${name}\n`)
    child.on('close', code => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1)
      process.stdout.write(`\n> ${name} (${seconds} s, exit ${code})\n`)
      process.stdout.write(Buffer.concat(output))
      resolve(code === 0 ? undefined : name)
    })
  })
}

// Jest's default leaves a core free (cores - 1: one worker on two cores);
// here the other steps are done or light by the time most tests run, so
// every core runs tests.
const jestWorkers = availableParallelism()
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const checks = [
  run('typecheck', npm, ['run', '--silent', 'typecheck']),
  run('lint', npm, ['run', '--silent', 'lint']),
  run('readme tables', 'node', ['scripts/readme-tables.mjs', '--check'])
]
const jest = run('build', npm, ['run', '--silent', 'build']).then(failed =>
  failed === undefined
    ? run(
        'jest',
        npm,
        ['run', '--silent', 'jest', '--', `--maxWorkers=${jestWorkers}`],
        { stream: true }
      )
    : 'jest (not run: the build failed)'
)
const failed = (await Promise.all([...checks, jest])).filter(Boolean)
if (failed.length > 0) {
  console.error(`\nnpm test failed: ${failed.join(', ')} (output above).`)
  process.exitCode = 1
}
