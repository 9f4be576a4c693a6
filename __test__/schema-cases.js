'use strict'
// The cases of schema-differential.test.js, generated from osls's assembled schema: every instance
// path the schema reaches (properties, patternProperties and additionalProperties under a sample key,
// array items, every anyOf/oneOf/allOf branch — the events' anyOf included — and dependencies), and at
// each one every value of another type than the ones the schema declares there that ajv's
// `coerceTypes: 'array'` may convert (or must refuse), inside a minimal service.

/** Candidate values. Each is tried where the schema declares none of its JSON types. */
const VALUES = [
  'true', 'false', '0', '1', '5', ' 12 ', '1e3', '1.5', '', 'x',
  0, 1, 5, 1.5, -1,
  true, false,
  ['x'], ['5'], [5], [1.5], [true], ['true'], ['a', 'b'], [1, 2], [], [{}],
  {},
  null,
]

/** Keys tried, in order, where a pattern (or any other key) is wanted. */
const SAMPLE_KEYS = ['f', 'ab', 'Abc', 'a1', '200', 'k9', 'x-y']

/** Keywords under which one part of an object decides how another is checked or converted (ajv tries
 * anyOf/oneOf branches in order, coercing as it goes): below such a node, two cases are not merged. */
const ENTANGLING = ['anyOf', 'oneOf', 'allOf', 'not', 'dependencies', 'if', 'minProperties', 'maxProperties']
const ARRAY_BOUNDS = ['minItems', 'maxItems', 'uniqueItems', 'contains', 'additionalItems']

/** The JSON types a value answers to in a schema's `type` (an integral number is both). */
function typesOf(value) {
  if (value === null) return ['null']
  if (Array.isArray(value)) return ['array']
  if (typeof value === 'number') return Number.isInteger(value) ? ['number', 'integer'] : ['number']
  return [typeof value]
}

const regexCache = new Map()
function matches(pattern, key) {
  if (!regexCache.has(pattern)) regexCache.set(pattern, new RegExp(pattern, 'u'))
  return regexCache.get(pattern).test(key)
}

/** Whether `key` may stand under an object node as a free (pattern or additional) key. */
function keyFits(free, key) {
  if (free.props.includes(key)) return false
  if (free.pattern !== undefined ? !matches(free.pattern, key) : free.patterns.some((p) => matches(p, key))) return false
  const names = free.names
  if (names && names.pattern && !matches(names.pattern, key)) return false
  if (names && names.maxLength !== undefined && key.length > names.maxLength) return false
  return true
}

/** Walks an inlined schema (osls's, refs replaced by their definitions). Returns Map<pathKey, entry>,
 * entry = {path, types: Set, where: first schema path, clean, free}: `clean` when no schema node
 * at that instance path or above entangles its children; `free` (for a key reached only through
 * patternProperties/additionalProperties, or an unbounded array's items) says how to make other keys. */
function reachablePaths(schema) {
  const found = new Map()
  const stack = new Set()
  const visit = (node, at, where, dirty, free) => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return
    if (stack.has(node)) return // a recursive definition: its paths were seen one level up
    stack.add(node)
    const key = JSON.stringify(at)
    if (!found.has(key)) found.set(key, { path: at, types: new Set(), where, clean: true, free })
    const entry = found.get(key)
    for (const t of [].concat(node.type || [])) entry.types.add(t)
    const entangles = ENTANGLING.some((kw) => node[kw] !== undefined)
    if (dirty || entangles) entry.clean = false
    if (!free || !entry.free || free.kind !== entry.free.kind) entry.free = null
    const below = dirty || entangles
    const props = node.properties || {}
    const propNames = Object.keys(props)
    for (const [k, sub] of Object.entries(props)) visit(sub, at.concat(k), `${where}/properties/${k}`, below, null)
    const patterns = Object.keys(node.patternProperties || {})
    for (const pattern of patterns) {
      const slot = { kind: 'key', pattern, props: propNames, names: node.propertyNames }
      const k = SAMPLE_KEYS.find((s) => keyFits(slot, s))
      if (k) visit(node.patternProperties[pattern], at.concat(k), `${where}/patternProperties/${pattern}`, below, slot)
    }
    if (node.additionalProperties && typeof node.additionalProperties === 'object') {
      const slot = { kind: 'key', patterns, props: propNames, names: node.propertyNames }
      const k = SAMPLE_KEYS.find((s) => keyFits(slot, s))
      if (k) visit(node.additionalProperties, at.concat(k), `${where}/additionalProperties`, below, slot)
    }
    if (Array.isArray(node.items)) {
      node.items.forEach((sub, i) => visit(sub, at.concat(i), `${where}/items/${i}`, below, null))
      if (node.additionalItems && typeof node.additionalItems === 'object') {
        visit(node.additionalItems, at.concat(node.items.length), `${where}/additionalItems`, below, null)
      }
    } else if (node.items) {
      const bounded = ARRAY_BOUNDS.some((kw) => node[kw] !== undefined)
      visit(node.items, at.concat(0), `${where}/items`, below, bounded ? null : { kind: 'index' })
    }
    for (const kw of ['anyOf', 'oneOf', 'allOf']) {
      for (const [i, sub] of (node[kw] || []).entries()) visit(sub, at, `${where}/${kw}/${i}`, true, free)
    }
    for (const [k, dep] of Object.entries(node.dependencies || {})) {
      if (!Array.isArray(dep)) visit(dep, at, `${where}/dependencies/${k}`, true, free)
    }
    stack.delete(node)
  }
  visit(schema, [], '#', false, null)
  return found
}

/** Paths whose value the case cannot vary: the provider's name picks the schema itself. */
const FIXED = new Set(['["provider","name"]'])
/** Top-level settings that change how the whole service is read or checked: one case per config. */
const SOLO = new Set(['configValidationMode', 'useDotenv', 'projectDir', 'variablesResolutionMode', 'frameworkVersion', 'plugins', 'service', 'deprecationNotificationMode', 'disabledDeprecations'])

/** Every case: {id, path, value, group, divergence, renames}, deduplicated by path and value.
 * `divergence`: the index of the first segment below the deepest clean prefix (where a merged case
 * may branch off); `renames`: indices of free segments at or above it, deepest first, with their slot. */
function generateCases(schema) {
  const paths = reachablePaths(schema)
  const cases = []
  const seen = new Set()
  for (const [key, { path: at, types }] of paths) {
    if (!at.length || FIXED.has(key)) continue
    let divergence = 0
    while (divergence < at.length - 1 && paths.get(JSON.stringify(at.slice(0, divergence + 1)))?.clean) divergence++
    const renames = []
    for (let i = divergence; i >= 0; i--) {
      const free = paths.get(JSON.stringify(at.slice(0, i + 1)))?.free
      if (free) renames.push({ index: i, free })
    }
    // A function's handler or image decides whether slsx can print it: such a case gets a function of its own.
    const ownFunction = at[0] === 'functions' && at.length >= 3 && ['handler', 'image'].includes(at[2])
    for (const value of VALUES) {
      if (typesOf(value).some((t) => types.has(t))) continue
      const id = `${at.join('.')} = ${JSON.stringify(value)}`
      if (seen.has(id)) continue
      seen.add(id)
      cases.push({
        id,
        path: at,
        group: at.join('.'),
        value,
        solo: SOLO.has(at[0]),
        divergence: ownFunction ? 1 : divergence,
        renames: ownFunction ? renames.filter((r) => r.index <= 1) : renames,
      })
    }
  }
  return cases
}

module.exports = { VALUES, SAMPLE_KEYS, reachablePaths, generateCases, typesOf, keyFits }
