// `npm test`: the type check, README tables check and jest's `fast`
// project (every in-process test) start side by side; jest has a worker
// per core. Nothing here needs dist/, so nothing is built.
//
// `npm run test:slow` (`--slow`): ESLint with the format check (`npm run
// lint`: typed linting costs as much CPU as the type check and the fast
// tests together, so it runs in the slower half, where a stale rule is
// caught before a merge) beside the bundle build, then jest's `slow`
// project (test/slow-tests.json: the tests that run the built bundles as
// processes). CI (`.ci/run`, ci.yml) runs both, then checks dist/ is fresh.
//
// Each step's output is printed whole as it ends (jest's streams). Fails
// when any step fails, naming every one that did.
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

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const jest = project =>
  run(
    `jest (${project})`,
    npm,
    [
      'run',
      '--silent',
      'jest',
      '--',
      `--selectProjects=${project}`,
      `--maxWorkers=${availableParallelism()}`
    ],
    { stream: true }
  )

const slow = process.argv.includes('--slow')
const steps = slow
  ? [
      run('lint', npm, ['run', '--silent', 'lint']),
      run('build', npm, ['run', '--silent', 'build']).then(failed =>
        failed === undefined ? jest('slow') : 'jest (not run: the build failed)'
      )
    ]
  : [
      run('typecheck', npm, ['run', '--silent', 'typecheck']),
      run('readme tables', 'node', ['scripts/readme-tables.mjs', '--check']),
      jest('fast')
    ]
const failed = (await Promise.all(steps)).filter(Boolean)
if (failed.length > 0) {
  const command = slow ? 'npm run test:slow' : 'npm test'
  console.error(`\n${command} failed: ${failed.join(', ')} (output above).`)
  process.exitCode = 1
}
