'use strict'
// Issue 13: every coercion path of the configuration schema, slsx against osls 4.3.1's own validator.
// The cases (schema-cases.js) put, at every instance path osls's assembled schema reaches, each value
// of another type that ajv's `coerceTypes: 'array'` may convert (57,000 or so, in a minimal service);
// schema-batches.js packs cases ajv checks independently into shared configurations. For each one:
//   - oracle (schema-oracle.js): what osls does before validating (stage, list merges, function
//     names and events), then osls's ajv validator on the result — the configuration as converted,
//     and osls's normalized problem lines (`at 'path': message`);
//   - slsx `printConfig` with `configValidationMode: 'off'`: everything osls validated must print as
//     ajv converted it (print's own additions — region, deploymentBucketObject … — aside);
//   - slsx `printConfig` as written (mode error): the same verdict and the same lines, word for word.
// A configuration that differs has the cases its problems point at re-run alone; mismatches are
// reported by path (the report goes to SLSX_SCHEMA_DIFF_REPORT=<file> too). A refusal of slsx's own
// (a clear error where osls would go on, e.g. `memorySize: 1.5` with validation off) is counted, not
// failed. Needs .tools/osls (scripts/osls-golden.sh --install-only) and .tools/osls-schema.json
// (scripts/osls-schema.sh, run by scripts/test.sh); no AWS endpoint. SLSX_SCHEMA_DIFF_SAMPLE=N keeps
// every Nth case only.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { printConfig } = require('..')
const oracle = require('./schema-oracle')
const { generateCases } = require('./schema-cases')
const { pack, single, rebuild } = require('./schema-batches')

const CAP = Number(process.env.SLSX_SCHEMA_DIFF_CAP || 30) // cases per merged configuration (print and ajv slow down past ~50)
const WORKERS = 2 // print calls in flight (the machine has 2 cores)
const MAX_SINGLES = Number(process.env.SLSX_SCHEMA_DIFF_MAX_SINGLES || 3000) // one-by-one re-runs, at most, when merged configurations differ

/** Keys print adds to what osls validated (osls's print shows them too: the aws provider's
 * `initialize`, the package plugin's, the options). */
const PRINT_ADDS = [
  ['provider', 'region'],
  ['provider', 'versionFunctions'],
  ['provider', 'deploymentBucketObject'],
  ['package', 'artifactsS3KeyDirname'],
  ['configValidationMode'],
]
/** Values print replaces: the region is the `region` option's; the mode is the one this test sets. */
const PRINT_SETS = [['provider', 'region'], ['configValidationMode']]

const fits = (rules, at) =>
  rules.some((r) => r.length === at.length && r.every((p, i) => p === '*' || p === at[i]))

/** Where the printed configuration differs from ajv's conversion: [{at, osls, slsx}]. */
function valueDiffs(converted, printed, at = [], out = []) {
  if (fits(PRINT_SETS, at)) return out
  const kind = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)
  if (kind(converted) !== kind(printed)) {
    out.push({ at: at.join('.'), osls: converted, slsx: printed })
  } else if (kind(converted) === 'array') {
    if (converted.length !== printed.length) out.push({ at: at.join('.'), osls: converted, slsx: printed })
    else converted.forEach((v, i) => valueDiffs(v, printed[i], at.concat(i), out))
  } else if (kind(converted) === 'object') {
    for (const k of Object.keys(converted)) {
      if (!(k in printed)) out.push({ at: at.concat(k).join('.'), osls: converted[k], slsx: '(missing)' })
      else valueDiffs(converted[k], printed[k], at.concat(k), out)
    }
    for (const k of Object.keys(printed)) {
      if (!(k in converted) && !fits(PRINT_ADDS, at.concat(k))) {
        out.push({ at: at.concat(k).join('.'), osls: '(absent)', slsx: printed[k] })
      }
    }
  } else if (!Object.is(converted, printed)) {
    out.push({ at: at.join('.'), osls: converted, slsx: printed })
  }
  return out
}

/** `at 'a.b': message` lines of a schema error (one line, or one per line after "Configuration error:"). */
function problemLines(message) {
  return message
    .split('\n')
    .map((l) => l.replace(/^\s*(Configuration error\s*)?/, ''))
    .filter((l) => /^at ('[^']*'|root): /.test(l))
}

const placeOf = (line) => line.slice(0, line.indexOf(': '))
const pathOfLine = (line) => (line.startsWith('at root') ? '' : line.slice(4, line.indexOf("'", 4)))

/** osls's print shows the configuration after the aws provider's `initialize`: a deploymentBucket
 * given as an object moves to deploymentBucketObject and leaves its name (or null) behind. */
function asOslsPrints(converted) {
  const out = structuredClone(converted)
  const provider = out.provider
  if (provider && provider.deploymentBucket && typeof provider.deploymentBucket === 'object') {
    provider.deploymentBucketObject = provider.deploymentBucket
    provider.deploymentBucket = provider.deploymentBucket.name || null
  }
  return out
}

async function print(dir, config) {
  fs.writeFileSync(path.join(dir, 'serverless.json'), JSON.stringify(config))
  try {
    return { value: await printConfig({ servicePath: dir, stage: 'dev', region: 'us-east-1' }) }
  } catch (error) {
    return { error }
  }
}

const firstLine = (error) => `${error.code}: ${error.message.split('\n').find((l) => l.trim()) || ''}`

/** Runs one configuration both ways and returns what differs from osls: [{kind, detail, paths}].
 * Kind `refused` (slsx stops with a clear error of its own where osls would go on: the project's
 * rule allows it) is reported, not failed; `message` is the same places in other words. */
async function check(dir, config, validate) {
  const expected = validate(config)
  const problems = []
  const off = await print(dir, { ...config, configValidationMode: 'off' })
  if (expected.refusal) {
    // osls stops before validating, whatever the mode: slsx must stop too.
    const strict = await print(dir, config)
    for (const run of [off, strict]) {
      if (!run.error) problems.push({ kind: 'accepted', detail: `osls refuses (${expected.refusal}), slsx prints`, paths: [undefined] })
      else if (run.error.code !== expected.refusal) problems.push({ kind: 'refused', detail: `osls ${expected.refusal}; slsx ${firstLine(run.error)}`, paths: [run.error.path] })
    }
    return problems
  }
  if (off.error) {
    const schemaError = off.error.code === 'INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION'
    problems.push({ kind: schemaError ? 'schema error with validation off' : 'refused', detail: firstLine(off.error), paths: [off.error.path] })
  } else {
    for (const d of valueDiffs(asOslsPrints(expected.converted), off.value)) {
      problems.push({ kind: 'converted value', detail: `${d.at}: osls ${JSON.stringify(d.osls)}, slsx ${JSON.stringify(d.slsx)}`, paths: [d.at] })
    }
  }
  const strict = await print(dir, config)
  const schemaError = strict.error && strict.error.code === 'INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION'
  if (strict.error && !schemaError) {
    if (!off.error) problems.push({ kind: 'refused', detail: firstLine(strict.error), paths: [strict.error.path] })
  } else if (expected.throws !== Boolean(schemaError)) {
    const mine = schemaError ? problemLines(strict.error.message) : []
    problems.push({
      kind: 'verdict',
      detail: `osls ${expected.throws ? expected.lines.join(' | ') : 'valid'}; slsx ${mine.join(' | ') || 'valid'}`,
      paths: expected.lines.concat(mine).map(pathOfLine),
    })
  } else if (schemaError) {
    const mine = problemLines(strict.error.message)
    const theirs = expected.lines
    const missing = theirs.filter((l) => !mine.includes(l))
    const extra = mine.filter((l) => !theirs.includes(l))
    const places = (ls) => [...new Set(ls.map(placeOf))].sort().join()
    if (missing.length || extra.length) {
      problems.push({
        kind: places(mine) === places(theirs) ? 'message' : 'places',
        detail: `osls only: ${missing.join(' | ') || '-'}; slsx only: ${extra.join(' | ') || '-'}`,
        paths: missing.concat(extra).map(pathOfLine),
      })
    }
  }
  return problems
}

const INFORMATIONAL = new Set(['refused'])
const failing = (problems) => problems.filter((p) => !INFORMATIONAL.has(p.kind))

/** The members a problem's paths point into (their claimed subtree holds the path, or the path holds
 * their value); null when some path belongs to no single member (a problem of the merge itself). */
function suspects(members, problems) {
  const within = (inner, outer) => inner === outer || inner.startsWith(`${outer}.`)
  const found = new Set()
  for (const p of problems) {
    for (const at of p.paths) {
      if (typeof at !== 'string') return null
      const hit = members.filter((m) => within(at, m.claim.join('.')) || (at && within(m.path.join('.'), at)))
      if (hit.length !== 1) return null
      found.add(hit[0])
    }
  }
  return found
}

/** Runs `jobs` (async functions of a worker's dir) WORKERS at a time. */
async function pool(jobs, dirs) {
  let next = 0
  await Promise.all(
    dirs.map(async (dir) => {
      while (next < jobs.length) await jobs[next++](dir)
    }),
  )
}

test('schema differential: slsx judges and converts every coercion path as osls 4.3.1', async () => {
  assert.ok(
    oracle.available(),
    'osls and its schema dump are missing: run `bash scripts/osls-golden.sh --install-only && bash scripts/osls-schema.sh`',
  )
  const t0 = Date.now()
  const validate = oracle.oslsValidator()
  const sample = Number(process.env.SLSX_SCHEMA_DIFF_SAMPLE || 1)
  const cases = generateCases(oracle.inlineRefs(oracle.loadSchema())).filter((_, i) => i % sample === 0)
  const batches = pack(cases, CAP)
  const t1 = Date.now()

  const dirs = Array.from({ length: WORKERS }, () => fs.mkdtempSync(path.join(os.tmpdir(), 'slsx-schema-diff-')))
  const results = [] // {c, problems}: cases checked alone (or found in a merge) that differ
  const mergedOnly = [] // merged configurations that differ while none of their cases does alone
  let singles = 0
  let unchecked = 0
  const alone = async (dir, c) => {
    if (singles >= MAX_SINGLES) return unchecked++ && false
    singles++
    const problems = await check(dir, single(c).config, validate)
    if (problems.length) results.push({ c, problems })
    return failing(problems).length > 0
  }
  await pool(
    batches.map((first) => async (dir) => {
      let b = first
      for (let round = 0; b.members.length; round++) {
        const problems = await check(dir, b.config, validate)
        if (!problems.length) return
        if (b.members.length === 1) return results.push({ c: b.members[0].c, problems })
        // The cases the problems point at are run alone (all of them when some problem points at
        // none); a failure none of them shows alone is the merge's own (an engine bug all the same).
        const taken = round < 5 ? suspects(b.members, problems) : null
        let found = 0
        for (const m of taken || b.members) found += (await alone(dir, m.c)) ? 1 : 0
        if (!found && failing(problems).length) mergedOnly.push({ b, problems })
        if (!taken) return
        b = rebuild(b.members.filter((m) => !taken.has(m)))
      }
    }),
    dirs,
  )
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  const t2 = Date.now()

  // Report: cases grouped by their schema path and kinds of difference, a few examples each.
  const report = (list) => {
    const groups = new Map()
    for (const m of list) {
      const key = `${m.c.group} [${[...new Set(m.problems.map((p) => p.kind))].join(', ')}]`
      if (!groups.has(key)) groups.set(key, [])
      groups.get(key).push(m)
    }
    const lines = []
    for (const [key, ms] of [...groups].sort()) {
      lines.push(`${key}: ${ms.length} case(s)`)
      for (const m of ms.slice(0, 3)) {
        lines.push(`    = ${JSON.stringify(m.c.value)}`)
        for (const p of m.problems.slice(0, 4)) lines.push(`      ${p.kind}: ${p.detail.slice(0, 400)}`)
      }
    }
    return { groups: groups.size, lines }
  }
  const mismatches = results.filter((r) => failing(r.problems).length).map((r) => ({ c: r.c, problems: failing(r.problems) }))
  const noted = results.filter((r) => !failing(r.problems).length)
  const bad = report(mismatches)
  const notes = report(noted)
  for (const { b, problems } of mergedOnly.slice(0, 10)) {
    bad.lines.push(`merged configuration of ${b.members.length} cases (${b.members[0].c.group} …) differs, no case alone does:`)
    for (const p of problems.slice(0, 4)) bad.lines.push(`      ${p.kind}: ${p.detail.slice(0, 400)}`)
  }
  const summary =
    `${cases.length} cases${sample > 1 ? ` (every ${sample}th)` : ''} in ${batches.length} configurations; ` +
    `${mismatches.length} mismatching case(s) in ${bad.groups} group(s), ${mergedOnly.length} merged-only; ` +
    `${noted.length} refused by slsx itself (noted) in ${notes.groups} group(s); ` +
    `${singles} re-run alone${unchecked ? `, ${unchecked} not re-run (limit)` : ''}; ` +
    `setup ${t1 - t0} ms, checks ${t2 - t1} ms`
  if (process.env.SLSX_SCHEMA_DIFF_REPORT) {
    fs.writeFileSync(process.env.SLSX_SCHEMA_DIFF_REPORT, [summary, 'MISMATCHES', ...bad.lines, 'NOTED', ...notes.lines, ''].join('\n'))
  }
  console.log(`schema differential: ${summary}`)
  assert.ok(!mismatches.length && !mergedOnly.length && !unchecked, `${summary}\n${bad.lines.join('\n')}`)
})
