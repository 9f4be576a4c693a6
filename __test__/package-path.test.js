'use strict'
// Top-level `package.path` (osls 4.3.1): `package` writes its artifacts there (relative to the service
// directory) and `deploy` deploys what is there without packaging again; `--package` comes first. Against
// the local emulator.

const { test, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { GetFunctionCommand } = require('@aws-sdk/client-lambda')

const { packageService, deploy } = require('..')
const { clients, copyService, sha256Base64, resetEmulator } = require('./helpers')

const aws = clients()
beforeEach(resetEmulator)

async function deployedSha(name) {
  return (await aws.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration.CodeSha256
}

/** examples/hello with `package.path: build/artifacts`. */
function service() {
  const dir = copyService('hello')
  const yml = path.join(dir, 'serverless.yml')
  fs.writeFileSync(yml, `${fs.readFileSync(yml, 'utf8')}\npackage:\n  path: build/artifacts\n`)
  return dir
}

test('package writes into package.path, and deploy deploys that package as it is', async () => {
  const dir = service()
  // Nothing packaged yet: deploy does not package, so there is nothing to deploy.
  await assert.rejects(deploy({ servicePath: dir }), (err) => {
    assert.equal(err.code, 'MISSING_SERVICE_STATE_FILE')
    assert.match(err.message, /build\/artifacts/)
    return true
  })

  const packaged = await packageService({ servicePath: dir })
  const out = path.join(fs.realpathSync(dir), 'build', 'artifacts')
  assert.equal(packaged.packageDir, out)
  for (const f of ['hello.zip', 'serverless-state.json', 'cloudformation-template-update-stack.json']) {
    assert.ok(fs.existsSync(path.join(out, f)), f)
  }
  assert.ok(!fs.existsSync(path.join(dir, '.serverless')), 'nothing in .serverless/')
  const zip = sha256Base64(path.join(out, 'hello.zip'))

  // The code changes after packaging: deploy still deploys the package, and packages nothing.
  fs.appendFileSync(path.join(dir, 'handler.js'), '\n// after package\n')
  const deployed = await deploy({ servicePath: dir })
  assert.deepEqual(deployed.artifacts.map((a) => a.sha256), [zip])
  assert.equal(await deployedSha('hello-dev-hello'), zip)
  assert.ok(!deployed.timings.some((t) => t.phase === 'package'), 'no packaging phase')
  assert.ok(!fs.existsSync(path.join(dir, '.serverless')), 'deploy wrote no .serverless/')

  // Packaged again, the changed code goes in, the previous package does not: the zip equals a zip of
  // the same service without any package directory.
  const again = await packageService({ servicePath: dir })
  const clean = copyService(dir)
  fs.rmSync(path.join(clean, 'build'), { recursive: true })
  const alone = await packageService({ servicePath: clean })
  assert.notEqual(again.artifacts[0].sha256, zip)
  assert.equal(again.artifacts[0].sha256, alone.artifacts[0].sha256)
  await deploy({ servicePath: dir })
  assert.equal(await deployedSha('hello-dev-hello'), again.artifacts[0].sha256)
})

test('--package comes before package.path, for package and for deploy', async () => {
  const dir = service()
  const r = await packageService({ servicePath: dir, package: 'other' })
  assert.equal(r.packageDir, path.join(fs.realpathSync(dir), 'other'))
  assert.ok(!fs.existsSync(path.join(dir, 'build')), 'package.path untouched')
  const d = await deploy({ servicePath: dir, package: 'other' })
  assert.equal(await deployedSha('hello-dev-hello'), r.artifacts[0].sha256)
  assert.equal(d.artifacts[0].sha256, r.artifacts[0].sha256)
})
