'use strict'
// `deploy function` against the local emulator: code sent straight to Lambda (inline and through the
// deployment bucket), skipped when the deployed CodeSha256 is the same, configuration updated alone,
// versions published, and a clear error before anything happens for unknown or undeployed functions.

const { test, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  PublishLayerVersionCommand,
  ListVersionsByFunctionCommand,
  CreateAliasCommand,
  GetAliasCommand,
} = require('@aws-sdk/client-lambda')
const { IAMClient, CreateRoleCommand } = require('@aws-sdk/client-iam')
const { ListObjectsV2Command } = require('@aws-sdk/client-s3')
const { DescribeStackResourcesCommand } = require('@aws-sdk/client-cloudformation')

const { deploy, deployFunction } = require('..')
const { root, clients, copyService, sha256Base64, resetEmulator, requestsDuring } = require('./helpers')

const aws = clients()
beforeEach(resetEmulator)

async function deployedSha(name, qualifier) {
  const out = await aws.lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: qualifier }))
  return out.Configuration.CodeSha256
}

function getConfig(name) {
  return aws.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))
}

/** Replaces the `hello` function's settings in serverless.yml (everything under `functions.hello`). */
function setHello(dir, settings) {
  const yml = path.join(dir, 'serverless.yml')
  const text = fs.readFileSync(yml, 'utf8').replace(/^functions:\n[\s\S]*$/m, '')
  fs.writeFileSync(yml, `${text}functions:\n  hello:\n${settings.replace(/^/gm, '    ')}\n`)
}

/** The UpdateFunctionConfiguration requests made while `fn` runs, as their JSON bodies. */
function configUpdatesDuring(fn, name) {
  return requestsDuring(fn, 'PUT', `/2015-03-31/functions/${name}/configuration`)
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
  assert.equal(edited.sha256, sha256Base64(path.join(dir, '.serverless', '.slsx-function', 'hello.zip')))
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
  const third = execFileSync(process.execPath, [cli, 'deploy', 'function', '-f', 'hello', '--force', '--publish'], { cwd: dir, encoding: 'utf8' })
  assert.match(third, /✔ hello \(hello-dev-hello\): Function code deployed \([^)]+\), version \d+/)
})

test('deploy function --update-config sends each changed field, then nothing when nothing differs', async () => {
  const dir = copyService('hello')
  await deploy({ servicePath: dir })
  const before = await getConfig('hello-dev-hello')

  // A role, and a layer version to attach (its content is just some zip).
  const iam = new IAMClient({ endpoint: process.env.AWS_ENDPOINT_URL, region: 'us-east-1' })
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: 'hello-other-role',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  )
  assert.notEqual(Role.Arn, before.Role)
  const layer = await aws.lambda.send(
    new PublishLayerVersionCommand({ LayerName: 'extra', Content: { ZipFile: fs.readFileSync(path.join(dir, '.serverless', 'hello.zip')) } }),
  )
  // moto's Lambda does not check that security groups and subnets exist, so no EC2 set-up is needed.
  const sg = 'sg-0123456789abcdef0'
  const subnets = ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb']

  setHello(
    dir,
    [
      'handler: handler.main',
      'description: Changed by deploy function',
      'memorySize: 256',
      'timeout: 12',
      'environment:',
      '  MODE: fast',
      '  LEVEL: 2',
      'layers:',
      `  - ${layer.LayerVersionArn}`,
      'vpc:',
      `  securityGroupIds: [${sg}]`,
      `  subnetIds: [${subnets.join(', ')}]`,
      `role: ${Role.Arn}`,
    ].join('\n'),
  )
  let config
  const sent = await configUpdatesDuring(async () => {
    ;[config] = await deployFunction({ servicePath: dir, functions: ['hello'], updateConfig: true })
  }, 'hello-dev-hello')
  assert.equal(config.code, 'skipped')
  assert.equal(config.configuration, 'updated')
  assert.equal(sent.length, 1)
  assert.deepEqual(Object.keys(sent[0]).sort(), ['Description', 'Environment', 'Handler', 'Layers', 'MemorySize', 'Role', 'Timeout', 'VpcConfig'])

  const c = await getConfig('hello-dev-hello')
  assert.equal(c.Handler, 'handler.main')
  assert.equal(c.Description, 'Changed by deploy function')
  assert.equal(c.MemorySize, 256)
  assert.equal(c.Timeout, 12)
  assert.deepEqual(c.Environment.Variables, { MODE: 'fast', LEVEL: '2' })
  assert.deepEqual(c.Layers.map((l) => l.Arn), [layer.LayerVersionArn])
  assert.deepEqual(c.VpcConfig.SecurityGroupIds, [sg])
  assert.deepEqual([...c.VpcConfig.SubnetIds].sort(), subnets)
  assert.equal(c.Role, Role.Arn)
  assert.equal(c.CodeSha256, before.CodeSha256)

  // Nothing differs now: no request at all.
  let again
  const none = await configUpdatesDuring(async () => {
    ;[again] = await deployFunction({ servicePath: dir, functions: ['hello'], updateConfig: true })
  }, 'hello-dev-hello')
  assert.equal(again.configuration, 'unchanged')
  assert.deepEqual(none, [])
})

test('deploy function --update-config sends kmsKeyArn and onError (SNS, then SQS) as a dead-letter queue', async () => {
  const dir = copyService('hello')
  await deploy({ servicePath: dir })
  // moto 5.2.5's UpdateFunctionConfiguration drops KMSKeyArn and DeadLetterConfig, and its
  // GetFunctionConfiguration never returns DeadLetterConfig: what slsx sent is read from moto's request
  // recorder instead, and a second run cannot be 'unchanged' here (both always differ from moto's copy).
  const kms = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'
  const topic = 'arn:aws:sns:us-east-1:123456789012:hello-dlq'
  const queue = 'arn:aws:sqs:us-east-1:123456789012:hello-dlq'
  // osls's schema takes only an SNS topic for onError: an SQS queue is deployed in warn mode only.
  const yml = path.join(dir, 'serverless.yml')
  fs.writeFileSync(yml, `configValidationMode: warn\n${fs.readFileSync(yml, 'utf8')}`)
  for (const dlq of [topic, queue]) {
    setHello(dir, `handler: handler.hello\nkmsKeyArn: ${kms}\nonError: ${dlq}`)
    let r
    const sent = await configUpdatesDuring(async () => {
      ;[r] = await deployFunction({ servicePath: dir, functions: ['hello'], updateConfig: true })
    }, 'hello-dev-hello')
    assert.equal(r.configuration, 'updated')
    // Only these two: the handler and the rest equal what is deployed.
    assert.deepEqual(sent, [{ KMSKeyArn: kms, DeadLetterConfig: { TargetArn: dlq } }])
  }
})

test('deploy function does not send an environment holding a CloudFormation intrinsic', async () => {
  const dir = copyService('hello')
  setHello(dir, 'handler: handler.hello\nenvironment:\n  MODE: fast')
  await deploy({ servicePath: dir })
  assert.deepEqual((await getConfig('hello-dev-hello')).Environment.Variables, { MODE: 'fast' })

  // Only a stack can resolve { Ref: ... }: the environment is left as deployed, nothing else differs.
  setHello(dir, 'handler: handler.hello\nenvironment:\n  MODE: slow\n  REGION:\n    Ref: AWS::Region')
  let r
  const none = await configUpdatesDuring(async () => {
    ;[r] = await deployFunction({ servicePath: dir, functions: ['hello'], updateConfig: true })
  }, 'hello-dev-hello')
  assert.equal(r.configuration, 'unchanged')
  assert.deepEqual(none, [])

  // With another change, that change alone is sent.
  setHello(dir, 'handler: handler.hello\nmemorySize: 384\nenvironment:\n  MODE: slow\n  REGION:\n    Ref: AWS::Region')
  const sent = await configUpdatesDuring(async () => {
    ;[r] = await deployFunction({ servicePath: dir, functions: ['hello'], updateConfig: true })
  }, 'hello-dev-hello')
  assert.equal(r.configuration, 'updated')
  assert.deepEqual(sent, [{ MemorySize: 384 }])
  const c = await getConfig('hello-dev-hello')
  assert.equal(c.MemorySize, 384)
  assert.deepEqual(c.Environment.Variables, { MODE: 'fast' })
})

test('deploy function --publish moves the provisioned alias to the new version', async () => {
  const dir = copyService('hello')
  setHello(dir, 'handler: handler.hello\nprovisionedConcurrency: 1')
  await deploy({ servicePath: dir })
  // moto ignores AWS::Lambda::Alias in a stack, so the alias the stack would have made (HelloProvConcLambdaAlias,
  // named `provisioned`) is created here, on the version the stack published.
  const { Versions } = await aws.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'hello-dev-hello' }))
  const first = Versions.map((v) => v.Version).filter((v) => v !== '$LATEST').pop()
  assert.ok(first, 'the stack published a version')
  await aws.lambda.send(new CreateAliasCommand({ FunctionName: 'hello-dev-hello', Name: 'provisioned', FunctionVersion: first }))

  fs.appendFileSync(path.join(dir, 'handler.js'), '\n// published\n')
  const [r] = await deployFunction({ servicePath: dir, functions: ['hello'], publish: true })
  assert.equal(r.code, 'updated')
  assert.match(r.version, /^\d+$/)
  assert.notEqual(r.version, first)
  const alias = await aws.lambda.send(new GetAliasCommand({ FunctionName: 'hello-dev-hello', Name: 'provisioned' }))
  assert.equal(alias.FunctionVersion, r.version)
  assert.equal(await deployedSha('hello-dev-hello', r.version), r.sha256)
})

test('deploy function deploys several functions at once, also from the CLI', async () => {
  const dir = copyService('hello')
  fs.writeFileSync(path.join(dir, 'a.js'), "module.exports.handler = async () => 'a'\n")
  fs.writeFileSync(path.join(dir, 'b.js'), "module.exports.handler = async () => 'b'\n")
  fs.writeFileSync(
    path.join(dir, 'serverless.yml'),
    [
      'service: pair',
      'provider:',
      '  name: aws',
      '  runtime: nodejs22.x',
      'package:',
      '  individually: true',
      'functions:',
      '  a:',
      '    handler: a.handler',
      '    package:',
      "      patterns: ['!b.js']",
      '  b:',
      '    handler: b.handler',
      '    package:',
      "      patterns: ['!a.js']",
      '',
    ].join('\n'),
  )
  await deploy({ servicePath: dir })
  fs.appendFileSync(path.join(dir, 'a.js'), '// a changed\n')
  fs.appendFileSync(path.join(dir, 'b.js'), '// b changed\n')
  const events = []
  const results = await deployFunction({ servicePath: dir, functions: ['a', 'b'], onProgress: (e) => events.push(e) })
  assert.deepEqual(
    results.map((r) => [r.key, r.name, r.code]),
    [
      ['a', 'pair-dev-a', 'updated'],
      ['b', 'pair-dev-b', 'updated'],
    ],
  )
  assert.notEqual(results[0].sha256, results[1].sha256, 'each function has its own zip')
  assert.equal(await deployedSha('pair-dev-a'), results[0].sha256)
  assert.equal(await deployedSha('pair-dev-b'), results[1].sha256)
  assert.ok(events.some((e) => e.kind === 'phaseStarted' && /Deploying functions a, b/.test(e.message)))

  fs.appendFileSync(path.join(dir, 'a.js'), '// a again\n')
  fs.appendFileSync(path.join(dir, 'b.js'), '// b again\n')
  const cli = path.join(root, 'bin', 'slsx.js')
  const out = execFileSync(process.execPath, [cli, 'deploy', 'function', '-f', 'a', '-f', 'b'], { cwd: dir, encoding: 'utf8' })
  assert.match(out, /✔ a \(pair-dev-a\): Function code deployed/)
  assert.match(out, /✔ b \(pair-dev-b\): Function code deployed/)
  assert.equal(await deployedSha('pair-dev-a'), sha256Base64(path.join(dir, '.serverless', '.slsx-function', 'a.zip')))
  assert.equal(await deployedSha('pair-dev-b'), sha256Base64(path.join(dir, '.serverless', '.slsx-function', 'b.zip')))
})
