// Bundle entry of the plan action (dist/index.js).
import { run } from '../actions/plan.js'

void run()
