'use strict'
// YAML that osls 4.3.1 refuses (crates/slsx-core/tests/fixtures/yaml-err-*, golden/print-error.txt made
// by scripts/osls-print-golden.sh): slsx refuses it too, with CONFIGURATION_PARSE_ERROR, the file, and
// the line and column js-yaml reports. (The accepted cases are compared with osls in print.test.js.)

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { printConfig } = require('..')
const { root, copyService } = require('./helpers')

const fixtures = path.join(root, 'crates', 'slsx-core', 'tests', 'fixtures')

/** osls's error: its code, js-yaml's reason and `(line:column)` when it gave one. */
function oslsError(name) {
  const text = fs.readFileSync(path.join(fixtures, name, 'golden', 'print-error.txt'), 'utf8')
  const code = text.match(/^code: (\S+)/m)[1]
  const parse = text.match(/Cannot parse "serverless\.yml": (.+?)(?: in "<service>\/serverless\.yml" \((\d+):(\d+)\))?$/m)
  return {
    code,
    reason: parse && parse[1],
    line: parse && parse[2] ? Number(parse[2]) : null,
    column: parse && parse[3] ? Number(parse[3]) : null,
  }
}

const cases = fs
  .readdirSync(fixtures)
  .filter((name) => name.startsWith('yaml-err-') && fs.existsSync(path.join(fixtures, name, 'serverless.yml')))
  .filter((name) => /^code: (CONFIGURATION_PARSE_ERROR|INVALID_CONFIGURATION_STRUCTURE)$/m.test(fs.readFileSync(path.join(fixtures, name, 'golden', 'print-error.txt'), 'utf8')))
  .sort()

// Where osls names no position, the line slsx points at.
const lineWithoutOslsPosition = {
  // The second document's `---`.
  'yaml-err-multi-document': (lines) => lines.indexOf('---') + 1,
  // The alias inside the node it names (osls: INVALID_CONFIGURATION_STRUCTURE when it makes JSON).
  'yaml-err-circular-alias': (lines) => lines.findIndex((l) => l.includes('*loop')) + 1,
}

test('every yaml-err-* fixture is checked', () => {
  assert.ok(cases.length >= 10, cases.join(', '))
})

for (const name of cases) {
  test(`${name}: slsx refuses the YAML as osls does, at the same place`, async () => {
    const expected = oslsError(name)
    const dir = copyService(path.join(fixtures, name))
    const file = path.join(fs.realpathSync(dir), 'serverless.yml')
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/)
    await assert.rejects(printConfig({ servicePath: dir, stage: 'dev', region: 'us-east-1' }), (err) => {
      assert.equal(err.code, 'CONFIGURATION_PARSE_ERROR', err.message)
      assert.equal(err.file, file)
      // The message starts with `file:line:column: ` and shows the line.
      assert.ok(err.message.startsWith(`${file}:${err.line}:${err.column}: Cannot parse "serverless.yml": `), err.message)
      if (expected.line !== null) {
        assert.equal(expected.code, 'CONFIGURATION_PARSE_ERROR')
        assert.equal(err.line, expected.line, err.message)
        assert.equal(err.column, expected.column, err.message)
        assert.ok(err.message.includes(expected.reason), `${err.message}\nshould include: ${expected.reason}`)
      } else {
        assert.equal(err.line, lineWithoutOslsPosition[name](lines), err.message)
      }
      return true
    })
  })
}

test('a YAML file read by ${file()} is refused as osls refuses it (duplicated key, its line)', async () => {
  const dir = copyService(path.join(fixtures, 'yaml-err-file-duplicate-key'))
  await assert.rejects(printConfig({ servicePath: dir, stage: 'dev' }), (err) => {
    assert.equal(err.code, 'VARIABLES_RESOLUTION_ERROR')
    assert.equal(err.path, 'custom.value')
    assert.match(err.message, /Cannot parse "(\.\/)?extra\.yml": duplicated mapping key \(3:1\)/)
    return true
  })
})
