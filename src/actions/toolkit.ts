// The one door to the runner: every action module takes the toolkit from
// here, so the set of runner features we use is listed in one place (and the
// plan bundle's cold start can be tuned here without touching callers).
export {
  getInput,
  getBooleanInput,
  setOutput,
  setFailed,
  setSecret,
  info,
  debug,
  notice,
  warning,
  error,
  group,
  summary
} from '@actions/core'
export type { AnnotationProperties } from '@actions/core'
