'use strict'
// `deploy function` against the local emulator: code sent straight to Lambda (inline and through the
// deployment bucket), skipped when the deployed CodeSha256 is the same, configuration updated alone,
// versions published, and a clear error before anything happens for unknown or undeployed functions.

const { test, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { GetFunctionCommand, GetFunctionConfigurationCommand } = require('@aws-sdk/client-lambda')
const { ListObjectsV2Command } = require('@aws-sdk/client-s3')
const { DescribeStackResourcesCommand } = require('@aws-sdk/client-cloudformation')

const { deploy, deployFunction } = require('..')
const { root, clients, copyService, sha256Base64, resetEmulator } = require('./helpers')

const aws = clients()
beforeEach(resetEmulator)

async function deployedSha(name) {
  const out = await aws.lambda.send(new GetFunctionCommand({ FunctionName: name }))
  return out.Configuration.CodeSha256
}

test('deploy function sends changed code inline, skips unchanged code, and updates configuration alone', async () => {
  const dir = copyService('hello')
  const full = await deploy({ servicePath: dir })
  assert.equal(await deployedSha('hello-dev-hello'), full.artifacts[0].sha256)

  // Same code as the stack's: nothing is sent.
  const same = await deployFunction({ servicePath: dir, functions: ['hello'] })
  assert.deepEqual(
    same.map((r) => [r.key, r.name, r.code, r.configuration]),
    [['hello', 'hello-dev-hello', 'unchanged', 'unchanged']],
  )

  // Edited code: the new zip's SHA-256 is what Lambda now reports; the stack is not touched.
  fs.appendFileSync(path.join(dir, 'handler.js'), '\n// edited\n')
  const events = []
  const [edited] = await deployFunction({ servicePath: dir, functions: ['hello'], onProgress: (e) => events.push(e) })
  assert.equal(edited.code, 'updated')
  assert.notEqual(edited.sha256, full.artifacts[0].sha256)
  assert.equal(await deployedSha('hello-dev-hello'), edited.sha256)
  assert.equal(edited.sha256, sha256Base64(path.join(dir, '.serverless', 'hello.zip')))
  assert.ok(events.some((e) => e.kind === 'phaseStarted' && /Deploying function hello/.test(e.message)))

  // Configuration only: memory and environment change, the code does not move.
  const yml = path.join(dir, 'serverless.yml')
  fs.writeFileSync(
    yml,
    fs.readFileSync(yml, 'utf8').replace('    handler: handler.hello\n', '    handler: handler.hello\n    memorySize: 512\n    environment:\n      MODE: fast\n'),
  )
  const [config] = await deployFunction({ servicePath: dir, functions: ['hello'], updateConfig: true })
  assert.equal(config.code, 'skipped')
  assert.equal(config.configuration, 'updated')
  const c = await aws.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'hello-dev-hello' }))
  assert.equal(c.MemorySize, 512)
  assert.deepEqual(c.Environment.Variables, { MODE: 'fast' })
  assert.equal(c.CodeSha256, edited.sha256)

  // --force sends the same code again.
  const [forced] = await deployFunction({ servicePath: dir, functions: ['hello'], force: true })
  assert.equal(forced.code, 'updated')
  assert.equal(forced.configuration, 'unchanged')
})

test('deploy function: a zip above the inline limit goes through the deployment bucket; publish makes a version', async () => {
  const dir = copyService('hello')
  const full = await deploy({ servicePath: dir })
  fs.appendFileSync(path.join(dir, 'handler.js'), '\n// through the bucket\n')
  process.env.SLSX_INLINE_ZIP_LIMIT = '10'
  let r
  try {
    ;[r] = await deployFunction({ servicePath: dir, functions: ['hello'], publish: true })
  } finally {
    delete process.env.SLSX_INLINE_ZIP_LIMIT
  }
  assert.equal(r.code, 'updated')
  assert.match(r.version, /^\d+$/)
  assert.equal(await deployedSha('hello-dev-hello'), r.sha256)
  const { Contents } = await aws.s3.send(new ListObjectsV2Command({ Bucket: full.bucket }))
  const hex = Buffer.from(r.sha256, 'base64').toString('hex')
  assert.ok(
    Contents.some((o) => o.Key.includes(hex)),
    `the zip is stored content-addressed in ${full.bucket}: ${Contents.map((o) => o.Key).join(', ')}`,
  )
  // The stack still names the function it created.
  const { StackResources } = await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: 'hello-dev' }))
  const fn = StackResources.find((x) => x.LogicalResourceId === 'HelloLambdaFunction')
  assert.equal(fn.PhysicalResourceId, 'hello-dev-hello')
})

test('deploy function refuses unknown and not yet deployed functions before touching AWS', async () => {
  const dir = copyService('hello')
  await assert.rejects(deployFunction({ servicePath: dir, functions: ['nope'] }), (err) => {
    assert.equal(err.code, 'INVALID_OPTION')
    assert.match(err.message, /Function "nope" doesn't exist in this Service/)
    return true
  })
  await assert.rejects(deployFunction({ servicePath: dir, functions: ['hello'] }), (err) => {
    assert.equal(err.code, 'FUNCTION_NOT_YET_DEPLOYED')
    assert.match(err.message, /slsx deploy first/)
    return true
  })
})

test('the CLI runs deploy function with -f and with `deploy function`', async () => {
  const dir = copyService('hello')
  await deploy({ servicePath: dir })
  fs.appendFileSync(path.join(dir, 'handler.js'), '\n// cli\n')
  const cli = path.join(root, 'bin', 'slsx.js')
  const first = execFileSync(process.execPath, [cli, 'deploy', 'function', '-f', 'hello'], { cwd: dir, encoding: 'utf8' })
  assert.match(first, /✔ hello \(hello-dev-hello\): Function code deployed/)
  const second = execFileSync(process.execPath, [cli, 'deploy', '-f', 'hello'], { cwd: dir, encoding: 'utf8' })
  assert.match(second, /✔ hello \(hello-dev-hello\): Code and configuration not changed, nothing deployed/)
})
