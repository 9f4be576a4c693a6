#!/usr/bin/env node
'use strict'
// Smoke test of a built addon on the machine it is meant for, without AWS and without a test runner:
// loads the package entry (whose loader picks ./slsx.<platform>.node, else the installed platform
// package, else NAPI_RS_NATIVE_LIBRARY_PATH's file first when set), has the engine read and resolve
// examples/hello and a configuration error, and prints one line.
//
//   node scripts/smoke.js [ENTRY]   ENTRY: the package to load (default: this checkout's lib/index.js);
//                                   pack-test.sh passes the installed copy's node_modules/slsx
//
// Run by scripts/pack-local.sh on the addon it packs and by .github/workflows/release.yml on each
// built addon on (or emulating) its own platform.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

async function main() {
  const entry = path.resolve(process.argv[2] || path.join(__dirname, '..', 'lib', 'index.js'))
  const slsx = require(entry)
  for (const name of ['deploy', 'deployFunction', 'packageService', 'printConfig', 'info']) {
    assert.equal(typeof slsx[name], 'function', `${name} is not exported by ${entry}`)
  }

  // The engine reads a real service.
  const hello = path.join(__dirname, '..', 'examples', 'hello')
  const config = await slsx.printConfig({ servicePath: hello })
  assert.equal(config.service, 'hello')
  assert.equal(config.provider.runtime, 'nodejs22.x')
  assert.equal(config.functions.hello.handler, 'handler.hello')

  // Errors cross the boundary with their code and position (the binding's error marker, lib's SlsxError).
  const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'slsx-smoke-'))
  try {
    fs.writeFileSync(path.join(broken, 'serverless.yml'), 'service: broken\nprovider:\n  name: aws\n  runtime: [\n')
    const err = await slsx.printConfig({ servicePath: broken }).then(
      () => assert.fail('a broken serverless.yml was accepted'),
      (e) => e,
    )
    assert.ok(err instanceof slsx.SlsxError, `not an SlsxError: ${err && err.stack}`)
    assert.equal(typeof err.code, 'string')
    assert.equal(typeof err.line, 'number')
  } finally {
    fs.rmSync(broken, { recursive: true, force: true })
  }

  // Which addon answered: a .node file is in require's cache under its own path.
  const addon = Object.keys(require.cache).find((file) => file.endsWith('.node')) || '(unknown)'
  console.log(`smoke: ok — ${process.platform}-${process.arch}, node ${process.version}, addon ${addon}`)
}

main().catch((err) => {
  console.error(`smoke: FAILED — ${err && err.stack ? err.stack : err}`)
  process.exit(1)
})
