/**
 * Jest runs the TypeScript tests as ESM, transpiled by SWC (type-checking is
 * `tsc --noEmit`), in two projects:
 *
 * - `fast` (`npm test`): every test that runs in-process (it may start
 *   shells, git or the phases' own commands, never a bundle of dist/);
 * - `slow` (`npm run test:slow`, after the build): the files listed in
 *   test/slow-tests.json, which run the built bundles as processes (whole
 *   runs, the 1,000- and 5,000-phase runs, the npm package).
 *
 * `npm run jest` runs both. test/test-loop.test.ts keeps the list true.
 */
import { readFileSync } from 'node:fs'

const slow = Object.keys(
  JSON.parse(
    readFileSync(new URL('test/slow-tests.json', import.meta.url), 'utf8')
  )
)

const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' }
      }
    ]
  }
}

export default {
  // A guard against a hang, not a time limit: a loaded machine (or a second
  // copy of the suite beside this one) may make a test many times slower.
  // Global only: jest-circus reads it from the global config, and ignores
  // it in a project (a project's tests would get jest's 5 s).
  testTimeout: 120_000,
  projects: [
    {
      ...common,
      displayName: 'fast',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: [
        '/node_modules/',
        ...slow.map(f => `/${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)
      ]
    },
    {
      ...common,
      displayName: 'slow',
      testMatch: slow.map(f => `<rootDir>/${f}`)
    }
  ],
  reporters: ['default', '<rootDir>/scripts/summary-reporter.js']
}
