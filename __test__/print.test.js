'use strict'
// `printConfig()` against `osls print --format json` for the variables fixtures
// (crates/slsx-core/tests/fixtures/vars-*/golden/print.json, made by scripts/osls-print-golden.sh),
// with AWS sources served by the local emulator seeded from the fixture's seed.json.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const { printConfig, packageService } = require('..')
const { root, copyService, resetEmulator, withEnv } = require('./helpers')

const fixtures = path.join(root, 'crates', 'slsx-core', 'tests', 'fixtures')

/** `--stage dev --param "a=b"` -> words, quotes removed. */
function words(line) {
  return (line.match(/"[^"]*"|'[^']*'|\S+/g) || []).map((w) => w.replace(/^["']|["']$/g, ''))
}

function optionsFor(dir) {
  const argsFile = path.join(dir, 'golden.args')
  const args = fs.existsSync(argsFile) ? words(fs.readFileSync(argsFile, 'utf8').split('\n')[0]) : ['--stage', 'dev', '--region', 'us-east-1']
  const options = { params: {} }
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i].replace(/^--/, ''), args[i + 1]]
    if (flag === 'param') {
      const at = value.indexOf('=')
      options.params[value.slice(0, at)] = value.slice(at + 1)
    } else options[flag] = value
  }
  return options
}

function readEnv(dir) {
  const file = path.join(dir, 'golden.env')
  if (!fs.existsSync(file)) return {}
  return Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  )
}


const cases = fs
  .readdirSync(fixtures)
  .filter((name) => fs.existsSync(path.join(fixtures, name, 'golden', 'print.json')))
  .sort()

for (const name of cases) {
  test(`print ${name} equals osls print`, async () => {
    const source = path.join(fixtures, name)
    await resetEmulator()
    if (fs.existsSync(path.join(source, 'seed.json'))) {
      const seed = spawnSync(path.join(root, '.venv', 'bin', 'python'), [path.join(root, 'scripts', 'seed-aws.py'), path.join(source, 'seed.json')], {
        encoding: 'utf8',
      })
      assert.equal(seed.status, 0, seed.stderr)
    }
    const dir = copyService(source)
    const expected = JSON.parse(fs.readFileSync(path.join(source, 'golden', 'print.json'), 'utf8'))
    const actual = await withEnv(readEnv(source), () => printConfig({ servicePath: dir, ...optionsFor(source) }))
    assert.deepEqual(actual, expected)
  })
}

// Errors: each names the code, the file, the line and the property. (osls's own texts are in each
// fixture's golden/print-error.txt.)
const errorCases = [
  ['vars-err-unresolved', 'VARIABLES_RESOLUTION_ERROR', 'custom.value', /Value not found at "env" source/],
  ['vars-err-unknown-source', 'UNRECOGNIZED_VARIABLE_SOURCES', 'custom.value', /Unrecognized configuration variable sources: "nope"/],
  ['vars-err-cycle', 'VARIABLES_RESOLUTION_ERROR', 'custom.a', /Circular reference among "custom\.b" and "custom\.a" properties/],
  ['vars-err-missing-file', 'VARIABLES_RESOLUTION_ERROR', 'custom.value', /Value not found at "file" source/],
  ['vars-err-strtobool', 'VARIABLES_RESOLUTION_ERROR', 'custom.value', /Invalid "strToBool" input: .*Received: maybe/],
  ['vars-err-embedded-object', 'VARIABLES_RESOLUTION_ERROR', 'custom.value', /String value consist of variable which resolve with non-string value/],
  ['vars-err-syntax', 'VARIABLES_RESOLUTION_ERROR', 'custom.value', /Missing variable closing bracket/],
]

for (const [name, code, property, message] of errorCases) {
  test(`print ${name} rejects with ${code} at the property's line`, async () => {
    const dir = copyService(path.join(fixtures, name))
    const file = path.join(fs.realpathSync(dir), 'serverless.yml')
    const key = property.split('.').pop()
    const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => new RegExp(`^\\s+${key}:`).test(l)) + 1
    await assert.rejects(printConfig({ servicePath: dir }), (err) => {
      assert.equal(err.code, code)
      assert.equal(err.file, file)
      assert.equal(err.line, line)
      assert.equal(err.path, property)
      assert.match(err.message, message)
      assert.match(err.message, new RegExp(`Cannot resolve variable at "${property.replace('.', '\\.')}"`))
      return true
    })
  })
}

test('a serverless.js exporting an async function is called and awaited (osls 4.3.1 refuses it)', async () => {
  const dir = copyService(path.join(fixtures, 'vars-err-js-config-function'))
  const config = await printConfig({ servicePath: dir, stage: 'dev' })
  assert.equal(typeof config.service, 'string')
  assert.ok(config.functions)
})

test('strToBool takes an unquoted 0 or false too (osls 4.3.1 reports a missing input)', async () => {
  const config = await printConfig({ servicePath: copyService(path.join(fixtures, 'vars-err-strtobool-zero')) })
  assert.equal(config.custom.zero, false)
  assert.equal(config.custom.no, false)
})

test('AWS lookups are batched and de-duplicated: SSM names ten per GetParameters call', async () => {
  await resetEmulator()
  const seed = spawnSync(path.join(root, '.venv', 'bin', 'python'), [path.join(root, 'scripts', 'seed-aws.py'), path.join(fixtures, 'vars-aws', 'seed.json')], { encoding: 'utf8' })
  assert.equal(seed.status, 0, seed.stderr)
  const start = await fetch(`${process.env.AWS_ENDPOINT_URL}/moto-api/recorder/start-recording`, { method: 'POST' })
  assert.ok(start.ok)
  await fetch(`${process.env.AWS_ENDPOINT_URL}/moto-api/recorder/reset-recording`, { method: 'POST' })
  await printConfig({ servicePath: copyService(path.join(fixtures, 'vars-aws')) })
  const log = await (await fetch(`${process.env.AWS_ENDPOINT_URL}/moto-api/recorder/download-recording`)).text()
  await fetch(`${process.env.AWS_ENDPOINT_URL}/moto-api/recorder/stop-recording`, { method: 'POST' })
  const targets = log.split('\n').filter(Boolean).map((l) => JSON.parse(l).headers['X-Amz-Target'] || JSON.parse(l).headers['x-amz-target'] || '')
  const ssmSingle = targets.filter((t) => t === 'AmazonSSM.GetParameter').length
  const ssmBatch = targets.filter((t) => t === 'AmazonSSM.GetParameters').length
  // vars-aws reads 9 distinct parameters in 2 regions, 2 of them Secrets Manager references (which
  // only GetParameter reads), and refers to some of them several times.
  assert.equal(ssmSingle, 2, `single lookups: ${ssmSingle}`)
  assert.equal(ssmBatch, 2, `batches: ${ssmBatch}`)
  const stacks = targets.length - ssmSingle - ssmBatch
  assert.ok(stacks >= 0)
})

// Verdicts against osls: every fixture osls refuses with a schema error (golden/print-error.txt) is
// refused by slsx with the same code, naming the same places (`at 'path'` / `at root`), and pointing
// at the file and a line.
function schemaErrorPaths(text) {
  return [...new Set([...text.matchAll(/at (?:'([^']*)'|(root)):/g)].map((m) => m[1] ?? m[2]))].sort()
}

const schemaErrorCases = fs
  .readdirSync(fixtures)
  .filter((name) => fs.existsSync(path.join(fixtures, name, 'golden', 'print-error.txt')))
  .filter((name) =>
    fs.readFileSync(path.join(fixtures, name, 'golden', 'print-error.txt'), 'utf8').startsWith('code: INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION'),
  )
  .sort()

for (const name of schemaErrorCases) {
  test(`print ${name} is refused as osls refuses it`, async () => {
    const source = path.join(fixtures, name)
    const expected = schemaErrorPaths(fs.readFileSync(path.join(source, 'golden', 'print-error.txt'), 'utf8'))
    const dir = copyService(source)
    await assert.rejects(
      withEnv(readEnv(source), () => printConfig({ servicePath: dir, ...optionsFor(source) })),
      (err) => {
        assert.equal(err.code, 'INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION', err.message)
        assert.deepEqual(schemaErrorPaths(err.message), expected, err.message)
        assert.ok(err.file && err.file.endsWith('serverless.yml'), err.file)
        assert.ok(err.line > 0, `line ${err.line}`)
        return true
      },
    )
  })
}

test('schema validation: an error by default (as osls 4.3.1), warnings in warn mode, nothing in off mode', async () => {
  const dir = copyService('hello')
  const yml = path.join(dir, 'serverless.yml')
  const original = fs.readFileSync(yml, 'utf8')
  fs.writeFileSync(yml, `${original.replace('  runtime: nodejs22.x', '  runtime: nodejs22.x\n  timeout: 9000')}custom:\n  fine: true\nfrobnicate: 1\n`)
  await assert.rejects(printConfig({ servicePath: dir }), (err) => {
    assert.equal(err.code, 'INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION')
    assert.equal(err.file, path.join(fs.realpathSync(dir), 'serverless.yml'))
    // The first problem (osls's order: unknown keys of an object before its known ones) gives the line.
    assert.equal(err.line, fs.readFileSync(yml, 'utf8').split('\n').indexOf('frobnicate: 1') + 1)
    assert.equal(err.path, 'frobnicate')
    assert.match(err.message, /at root: unrecognized property 'frobnicate'/)
    assert.match(err.message, /at 'provider\.timeout': must be <= 900/)
    return true
  })

  fs.appendFileSync(yml, 'configValidationMode: warn\n')
  const pkg = await packageService({ servicePath: dir })
  assert.ok(pkg.warnings.some((w) => w.includes("at root: unrecognized property 'frobnicate'")), pkg.warnings.join('\n'))
  assert.ok(pkg.warnings.some((w) => w.includes("at 'provider.timeout': must be <= 900")), pkg.warnings.join('\n'))

  fs.writeFileSync(yml, fs.readFileSync(yml, 'utf8').replace('configValidationMode: warn', 'configValidationMode: off'))
  const quiet = await packageService({ servicePath: dir })
  assert.ok(!quiet.warnings.some((w) => w.includes('frobnicate')), quiet.warnings.join('\n'))
})
