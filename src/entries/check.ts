// Bundle entry of the check action (dist/check/index.js).
import { run } from '../actions/check.js'

void run()
