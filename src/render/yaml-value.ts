// The data a generated workflow is made of, and the guards that tell it
// apart in values read from YAML. O(size of the value) for isYamlValue.

/** A value a workflow file can hold. */
export type YamlValue =
  string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue }

/** A mapping at the top of a workflow file. */
export type YamlMapping = Record<string, YamlValue>

/** A mapping (not a list, not null) read from YAML or JSON. */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * True when `value` is plain workflow data all the way down (what `yaml`'s
 * toJS gives for a core-schema document). Iterative: a deep value cannot
 * overflow the stack.
 */
export function isYamlValue(value: unknown): value is YamlValue {
  const pending: unknown[] = [value]
  while (pending.length > 0) {
    const item = pending.pop()
    if (item === null) continue
    const type = typeof item
    if (type === 'string' || type === 'number' || type === 'boolean') continue
    if (Array.isArray(item)) {
      for (const entry of item) pending.push(entry)
    } else if (isMapping(item) && isPlainObject(item)) {
      for (const entry of Object.values(item)) pending.push(entry)
    } else return false
  }
  return true
}

/** An object literal's kind (not a Date, Map or class instance). */
function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}
