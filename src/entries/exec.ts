// Bundle entry of the exec action (dist/exec/index.js).
import { run } from '../actions/exec.js'

void run()
