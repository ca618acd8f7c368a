// Copied from shared/seed/PARALLEL_EXECUTION.md (`plan-parallel` output).
export const SEED_TEXT = `Parallel Execution Plan
Total phases: 4
Batches: 3
Max parallelism: 2

Batch 1: (2 phase(s) in parallel)
  • database-schema
    Set up database schema
  • frontend-components
    Build UI components

Batch 2: (1 phase(s) in parallel)
  • api-endpoints (depends on: database-schema)
    Create API endpoints

Batch 3: (1 phase(s) in parallel)
  • integration (depends on: api-endpoints, frontend-components)
    Integrate frontend and backend
`
