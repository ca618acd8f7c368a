import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// A later no-restricted-imports replaces an earlier one for the same file
// (rules are not merged), so blocks that restrict more repeat this pattern.
const ONLY_CLIENT_BUILDS_THE_API = {
  group: ['@actions/github'],
  message:
    'Only src/github/comments.ts builds the API client; the run context comes from src/actions/inputs.ts.'
}

export default tseslint.config(
  {
    ignores: [
      'dist/',
      '.build*/',
      'node_modules/',
      'coverage/',
      'test/fixtures/',
      '.bench-tmp*/',
      '.replay-tmp/'
    ]
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname
      }
    },
    rules: {
      '@typescript-eslint/explicit-function-return-type': [
        'error',
        { allowExpressions: true }
      ],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true }
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error'
    }
  },
  {
    // Types that need no casts: narrow with zod, a type guard or the checked
    // at() of src/plan/at.ts (`as const` stays allowed). Files stay short
    // enough to read in one sitting; one algorithm that needs more says why
    // in an eslint comment at its top.
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-assertions': [
        'error',
        { assertionStyle: 'never' }
      ],
      'max-lines': ['error', { max: 600 }]
    }
  },
  {
    // The edge in one place: only src/actions/inputs.ts (inputs and the run
    // context) and the entries read the environment; only
    // src/github/comments.ts imports @actions/github.
    files: ['src/**/*.ts'],
    ignores: ['src/actions/inputs.ts', 'src/entries/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            'Read the environment in src/actions/inputs.ts (the settings) or pass it in from an entry.'
        }
      ]
    }
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/github/comments.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [ONLY_CLIENT_BUILDS_THE_API]
        }
      ]
    }
  },
  {
    // Pure logic: no @actions/* and no I/O in the plan engine and renderers.
    files: ['src/plan/**/*.ts', 'src/render/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/*'],
              message: 'src/plan and src/render are pure: no @actions imports.'
            },
            {
              group: [
                'node:fs',
                'node:fs/*',
                'fs',
                'node:child_process',
                'node:http',
                'node:https',
                'node:net'
              ],
              message: 'src/plan and src/render do no I/O.'
            }
          ]
        }
      ]
    }
  },
  {
    // The actions log only through src/actions/log.ts, which makes every
    // line inert (plan text never acts as a workflow command).
    // (inputs.ts reads inputs, log.ts also writes the summary: both through
    // @actions/core itself.)
    files: ['src/actions/**/*.ts'],
    ignores: ['src/actions/log.ts', 'src/actions/inputs.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ONLY_CLIENT_BUILDS_THE_API,
            {
              group: ['./toolkit.js', '@actions/core'],
              message:
                'Log through ./log.js: it makes plan text inert in the log.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/explicit-function-return-type': 'off'
    }
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        performance: 'readonly',
        Buffer: 'readonly'
      }
    }
  }
)
