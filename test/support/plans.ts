// Plan texts more than one test file reads.

/** Four phases in three waves: two roots, a chain and a join. */
export const FOUR_PHASE_PLAN = `phases:
  - id: database-schema
    description: Set up database schema
    run: echo schema
  - id: frontend-components
    run: echo ui
  - id: api-endpoints
    deps: [database-schema]
    run: echo api
  - id: integration
    deps: [api-endpoints, frontend-components]
    run: echo integration
`
