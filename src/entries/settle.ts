// Bundle entry of the settle action (dist/settle/index.js).
import { run } from '../actions/settle.js'

void run()
