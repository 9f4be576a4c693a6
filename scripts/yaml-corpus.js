#!/usr/bin/env node
'use strict'
// Writes crates/slsx-core/tests/fixtures/yaml-corpus/cases.json: YAML texts and what osls 4.3.1 makes of
// them — js-yaml with osls's CloudFormation schema, then osls's JSON round trip — for slsx's loader test
// (crates/slsx-core/src/config/yaml/corpus_tests.rs).
//
// Usage: node scripts/yaml-corpus.js   (needs osls in .tools/: bash scripts/osls-golden.sh --install-only)
//
// The texts are hand-written edge cases, then texts made of YAML tokens at random and mutations (a
// character inserted or deleted, a line repeated) of the fixtures' own YAML files, from a fixed seed:
// the same corpus every run. Each case is `{ yaml, value }`, or `{ yaml, error: { reason, line,
// column } }` (line and column 1-based, null where js-yaml gives none), or `{ yaml, undefined: true }`
// (no document at all).

const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const osls = path.join(root, '.tools', 'osls', 'node_modules')
const yaml = require(path.join(osls, 'js-yaml'))
const schema = require(path.join(osls, 'osls', 'lib', 'utils', 'serverless-utils', 'cloudformation-schema'))
const out = path.join(root, 'crates', 'slsx-core', 'tests', 'fixtures', 'yaml-corpus', 'cases.json')

// mulberry32: a small seeded generator, so the corpus is the same on every run.
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const random = rng(20261203)
const pick = (list) => list[Math.floor(random() * list.length)]
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1))

const handWritten = [
  'a:\n  -\tx\n  -\ty\n',
  'a: [1,\t2,\t3]\nb: {x:\t1, y: 2}\n',
  'a:\t1\nb: \tc\n',
  'a:\n\tb: 1\n',
  'a:\n  -\tb: 1\n    c: 2\n',
  '-\t- a\n',
  'a: -\tb\n',
  'a: |\n\tx\n',
  'a: [\n\tx,\n\ty\n]\n',
  'a: 1\na: 2\n',
  '\ufeffa: 1\n',
  'a: 1\r\nb: |\r\n  x\r\n  y\r\nc: >\r\n  p\r\n  q\r\n',
  'a: 1\rb: 2\r',
  'base: &b\n  x: 1\n  y: 2\nd:\n  <<: *b\n  y: 3\ne:\n  <<: [*b, {z: 9}]\n  x: 0\nf: {<<: *b}\n',
  'x: &anc\n  a: 1\ny:\n  <<: *anc\n  <<: {b: 2}\n',
  '? <<\n: {a: 1}\n',
  'a:\n  <<: [[1, 2]]\n',
  'a:\n  <<: 1\n',
  'a: 2024-01-01\nb: 2024-01-01T10:00:00Z\nc: !!timestamp 2024-01-01\nd: !!timestamp 2001-12-14t21:59:43.10-05:00\n',
  'a: yes\nb: on\nc: no\nd: off\ne: y\nf: True\ng: TRUE\nh: ~\ni: Null\nj:\nk: NULL\nl: nULL\n',
  'a: 0o17\nb: 017\nc: 0x1F\nd: 0b101\ne: +12\nf: -0\ng: 1_000\nh: 12345678901234567890\ni: 0x\nj: 1e3\nk: 1.0\nl: .5\nm: 1.\nn: .inf\no: -.Inf\np: .NaN\nq: 1e400\nr: -.5\ns: 1.e5\n',
  'a: !!binary aGVsbG8=\nb: !!set {x, y}\nc: !!omap [k: 1, l: 2]\nd: !!pairs [k: 1, k: 2]\n',
  'a: !!str 1\nb: !!int "2"\nc: !!float 3\nd: !!bool "true"\ne: !!null ""\n',
  'a: !!null\nb: !!str\nc: !!map\nd: !!seq\ne: !!set\n',
  'a: 1\n---\nb: 2\n',
  '---\na: 1\n...\n',
  '%YAML 1.2\n---\na: 1\n',
  '%TAG !e! tag:yaml.org,2002:\n---\na: !e!str 12\n',
  'a: [1, # one\n  2, # two\n  3]\nb: {x: 1, # c\n  y: 2}\n',
  'a: &x hello\nb: *x\nc: &l [1, 2]\nd: *l\n',
  '- &a key: v\n  other: *a\n',
  'a: &a\n  b: *a\n',
  'a: *nope\n',
  'a: |\n  l1\n  l2\n\n\nb: |-\n  l1\n\nc: |+\n  l1\n\n\nd: >\n  f1\n  f2\n\n  f3\n    more\ne: |2\n    x\n',
  'a: "x\\ty\\u00e9\\x41 \\ud83d\\ude00 \\U0001F600"\nb: \'it\'\'s\'\nc: "line1\n  line2"\nd: plain\n  continued\n',
  'a: !Ref X\nb: !GetAtt A.B.C\nc: !GetAtt A\nd: !Sub [x, {a: b}]\ne: !GetStackOutput x\nf: !Ref\n',
  'a: !ToJsonString {a: 1}\n',
  'b: 1\n2: x\n1: y\ntrue: t\n1.50: f\n[a, b]: s\n.inf: i\nnull: n\n',
  'null: a\n~: b\n',
  '',
  '\n',
  '# only a comment\n',
  'a: b: c\n',
  'a: "open\n',
  'a: [a, b\n',
  'a: \u0001\n',
  'a: é ü\nü: 1\n',
]

const tokens = ['a', 'b', 'key', '1', '0x1F', '0o7', '1.5', '.inf', 'true', 'yes', '~', 'null', '-', '- ', ':', ': ', '?', '? ',
  '[', ']', '{', '}', ',', ', ', '#c', ' #c', '&x ', '*x', '&y ', '*y', '!!str ', '!Ref ', '!GetAtt ', '!!map ', '!!seq ',
  '!!int ', '|', '|-', '>', '>+', '|2', "'q'", '"d"', '"e\\t"', "'it''s'", '<<', '<<: ', ' ', '  ', '\t', '\n', '\n',
  '\n  ', '\n    ', '\n- ', '\n  - ', '---', '...', '"', "'", 'é', '%YAML 1.2', '\r\n', '2024-01-01', '!!binary aGk=',
  '!!set ', '!!omap ', '=', '\\', '@', '`', 'x y']
const inserts = [' ', '  ', '\t', '\n', '-', '- ', ':', ': ', '#', '&a ', '*a', '!Ref ', '!!str ', '[', ']', '{', '}', ',',
  '"', "'", '|', '>', '?', '? ', '<<: *a\n', '\r', 'é', '\u00a0', '---\n', '...', '%', '@', '\\']

function tokenText() {
  let s = ''
  for (let i = int(1, 25); i > 0; i--) s += pick(tokens)
  return s
}

function fixtureYaml() {
  const dir = path.join(root, 'crates', 'slsx-core', 'tests', 'fixtures')
  const files = []
  for (const name of fs.readdirSync(dir).sort()) {
    for (const file of ['serverless.yml', 'serverless.yaml']) {
      const p = path.join(dir, name, file)
      if (fs.existsSync(p) && fs.statSync(p).size < 4000) files.push(fs.readFileSync(p, 'utf8'))
    }
  }
  return files
}

function mutation(sources) {
  let s = pick(sources)
  for (let n = int(1, 3); n > 0; n--) {
    const at = int(0, s.length)
    const r = random()
    if (r < 0.5) s = s.slice(0, at) + pick(inserts) + s.slice(at)
    else if (r < 0.8) s = s.slice(0, at) + s.slice(at + 1)
    else {
      const lines = s.split('\n')
      const k = int(0, lines.length - 1)
      lines.splice(k, 0, lines[k])
      s = lines.join('\n')
    }
  }
  return s
}

function load(text) {
  let doc
  try {
    doc = yaml.load(text, { schema })
  } catch (e) {
    const mark = e.mark
    return { error: { reason: e.reason ?? e.message, line: mark ? mark.line + 1 : null, column: mark ? mark.column + 1 : null } }
  }
  if (doc === undefined) return { undefined: true }
  try {
    return { value: JSON.parse(JSON.stringify(doc)) }
  } catch (e) {
    // A circular object: osls refuses it when it makes JSON.
    return { error: { reason: 'circular', line: null, column: null } }
  }
}

const sources = fixtureYaml()
const texts = [...handWritten]
for (let i = 0; i < 1500; i++) texts.push(tokenText())
for (let i = 0; i < 500; i++) texts.push(mutation(sources))
const cases = texts.map((text) => ({ yaml: text, ...load(text) }))
fs.mkdirSync(path.dirname(out), { recursive: true })
fs.writeFileSync(out, JSON.stringify(cases, null, 0).replace(/\},\{"yaml"/g, '},\n{"yaml"') + '\n')
const errors = cases.filter((c) => c.error).length
console.log(`wrote ${path.relative(root, out)}: ${cases.length} cases (${errors} refused)`)
