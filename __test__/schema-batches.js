'use strict'
// Packs the differential cases into few configurations (one print call checks hundreds of them).
// Two cases share a configuration only where ajv checks them independently: their paths part below a
// "clean" node (no anyOf/oneOf/allOf/not/dependencies/min|maxProperties at it or above it), each
// claiming its own subtree there. A case that collides with one already placed moves to a fresh
// pattern key or array item where its path has one (functions.f -> functions.f2, events.0 -> events.3),
// else to the next configuration. A merged configuration is itself compared with osls; when it
// differs, the test runs its cases one by one to name the culprits.

const { SAMPLE_KEYS, keyFits } = require('./schema-cases')

const BASE = () => ({ service: 'svc', provider: { name: 'aws', runtime: 'nodejs20.x' } })
const HANDLER = 'handler.main'

const keyOf = (path) => JSON.stringify(path)

/** A configuration being filled: its claimed subtrees and the keys used under each prefix. */
class Slot {
  constructor() {
    this.members = []
    this.claimed = new Set()
    this.prefixes = new Set()
    this.used = new Map()
  }

  conflicts(claim) {
    if (this.prefixes.has(keyOf(claim))) return true
    for (let i = 1; i <= claim.length; i++) if (this.claimed.has(keyOf(claim.slice(0, i)))) return true
    return false
  }

  fresh(prefix, free) {
    const used = this.used.get(keyOf(prefix)) || new Set()
    if (free.kind === 'index') {
      let n = 0
      while (used.has(n)) n++
      return n
    }
    for (let n = 0; n < 100000; n++) {
      for (const k of n === 0 ? SAMPLE_KEYS : [`${SAMPLE_KEYS[0]}${n}`, `ab${n}`, String(100 + n)]) {
        if (!used.has(k) && keyFits(free, k)) return k
      }
    }
    return null
  }

  /** Places `c` (at its own path, or renamed at one of its free segments) unless its subtree collides. */
  place(c) {
    const tries = [c.path]
    for (const r of c.renames) {
      const k = this.fresh(c.path.slice(0, r.index), r.free)
      if (k === null) continue
      const renamed = c.path.slice()
      renamed[r.index] = k
      tries.push(renamed)
    }
    for (const path of tries) {
      const claim = path.slice(0, c.divergence + 1)
      if (this.conflicts(claim)) continue
      this.claimed.add(keyOf(claim))
      for (let i = 0; i <= claim.length; i++) this.prefixes.add(keyOf(claim.slice(0, i)))
      for (let i = 0; i < path.length; i++) {
        const p = keyOf(path.slice(0, i))
        if (!this.used.has(p)) this.used.set(p, new Set())
        this.used.get(p).add(path[i])
      }
      this.members.push({ c, path, claim })
      return true
    }
    return false
  }
}

/** The minimal service holding each member's value at its path (objects and arrays made along the
 * way, earlier items of a fixed-position array set to 'x'); every function gets a handler first,
 * unless the case is about its image (a function has one or the other). */
function buildConfig(members) {
  const config = BASE()
  for (const { path } of members) {
    if (path[0] === 'functions' && path.length >= 2) {
      config.functions = config.functions || {}
      config.functions[path[1]] = config.functions[path[1]] || (path[2] === 'image' ? {} : { handler: HANDLER })
    }
  }
  for (const { path, c } of members) {
    let node = config
    for (let i = 0; i < path.length - 1; i++) {
      const part = path[i]
      const next = path[i + 1]
      if (node[part] === undefined || node[part] === null || typeof node[part] !== 'object') {
        node[part] = typeof next === 'number' ? [] : {}
      }
      node = node[part]
      if (Array.isArray(node)) while (node.length < next) node.push('x')
    }
    node[path[path.length - 1]] = structuredClone(c.value)
  }
  return config
}

/** Cases -> [{members: [{c, path}], config}], at most `cap` cases a configuration. */
function pack(cases, cap) {
  const slots = []
  const solos = []
  const start = new Map() // claimed subtree (unrenamed) -> first slot worth trying
  let open = 0
  for (const c of cases) {
    if (c.solo) {
      solos.push([{ c, path: c.path, claim: c.path }])
      continue
    }
    const base = keyOf(c.path.slice(0, c.divergence + 1))
    let i = Math.max(open, start.get(base) || 0)
    for (;; i++) {
      if (i === slots.length) slots.push(new Slot())
      if (slots[i].members.length >= cap) continue
      if (slots[i].place(c)) break
    }
    start.set(base, i)
    while (open < slots.length && slots[open].members.length >= cap) open++
  }
  return slots
    .map((s) => s.members)
    .concat(solos)
    .map((members) => ({ members, config: buildConfig(members) }))
}

/** The one-case configuration (the case's own path, nothing renamed). */
function single(c) {
  const member = { c, path: c.path, claim: c.path.slice(0, c.divergence + 1) }
  return { members: [member], config: buildConfig([member]) }
}

/** The configuration of `members` (a batch without the ones taken out). */
function rebuild(members) {
  return { members, config: buildConfig(members) }
}

module.exports = { pack, single, rebuild, buildConfig }
