'use strict'
// osls 4.3.1's built-ins around the stack update, against the local emulator:
// - provider.deletionProtection: termination protection after every deploy, by stage (moto 5.2.5 lacks
//   UpdateTerminationProtection; scripts/moto_server.py adds it).
// - provider.pruneFunctionVersions: old function and layer versions deleted after the deploy, the newest
//   N and every aliased version kept. moto's CloudFormation names layers itself (it ignores LayerName),
//   so the layer's versions are published through the Lambda API under the name the stack would give.
// - The cleanup of subscription filters before the update. moto's CloudFormation does not create
//   AWS::Logs::SubscriptionFilter resources, so a filter "made by the stack" is simulated: the stack owns
//   a resource under the logical ID that the filter's name carries, whose physical ID is that name —
//   which is what osls (and slsx) check. The request sequence around a real stack filter is tested on the
//   SDK's test HTTP client (crates/slsx-core/src/deploy/log_subscriptions_tests.rs).

const { test, before } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { DescribeStacksCommand, UpdateTerminationProtectionCommand } = require('@aws-sdk/client-cloudformation')
const {
  CreateAliasCommand,
  GetFunctionCommand,
  ListLayerVersionsCommand,
  ListVersionsByFunctionCommand,
  PublishLayerVersionCommand,
} = require('@aws-sdk/client-lambda')

const { deploy } = require('..')
const { clients, resetEmulator } = require('./helpers')

const aws = clients()
before(resetEmulator)

/** A service in a new temp dir: serverless.yml and a handler whose result is `code`. */
function service(yaml, code = 0) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slsx-post-deploy-'))
  fs.writeFileSync(path.join(dir, 'serverless.yml'), yaml)
  writeHandler(dir, code)
  return dir
}

function writeHandler(dir, code) {
  fs.writeFileSync(path.join(dir, 'handler.js'), `exports.a = async () => ${code}\n`)
}

async function deployed(dir, stage) {
  const events = []
  const result = await deploy({ servicePath: dir, stage, onProgress: (e) => events.push(e) })
  const said = (kind) => events.filter((e) => e.kind === kind).map((e) => e.message)
  return { result, info: said('info'), success: said('success'), warnings: said('warning') }
}

async function protection(stack) {
  const { Stacks } = await aws.cfn.send(new DescribeStacksCommand({ StackName: stack }))
  return Stacks[0].EnableTerminationProtection
}

test('deletionProtection: set after the deploy at the stages listed, off at the others, and again on a skipped deploy', async () => {
  const yaml = (setting) =>
    `service: protected\nprovider:\n  name: aws\n  runtime: nodejs22.x\n  deletionProtection: ${setting}\nfunctions:\n  a:\n    handler: handler.a\n`
  const dir = service(yaml('{ stages: [prod] }'))
  const prod = await deployed(dir, 'prod')
  assert.equal(await protection('protected-prod'), true)
  assert.deepEqual(prod.info, ['Enabled deletion protection for stack "protected-prod"'])

  // Another stage: on with `true`, then off with `false` (osls sends false, it does not leave it alone).
  fs.writeFileSync(path.join(dir, 'serverless.yml'), yaml('true'))
  await deployed(dir, 'dev')
  assert.equal(await protection('protected-dev'), true)
  fs.writeFileSync(path.join(dir, 'serverless.yml'), yaml('false'))
  const off = await deployed(dir, 'dev')
  assert.equal(await protection('protected-dev'), false)
  assert.deepEqual(off.info, ['Disabled deletion protection for stack "protected-dev"'])

  // Turned off by hand, then a deploy with nothing to change: skipped, and protection is set anyway.
  fs.writeFileSync(path.join(dir, 'serverless.yml'), yaml('{ stages: [dev] }'))
  await deployed(dir, 'dev')
  assert.equal(await protection('protected-dev'), true)
  await aws.cfn.send(new UpdateTerminationProtectionCommand({ StackName: 'protected-dev', EnableTerminationProtection: false }))
  const skipped = await deployed(dir, 'dev')
  assert.equal(skipped.result.skipped, true)
  assert.equal(await protection('protected-dev'), true)

  // A malformed setting stops the deploy before any change, at its line.
  fs.writeFileSync(path.join(dir, 'serverless.yml'), yaml('{ stages: [] }').replace('\nprovider:', '\nconfigValidationMode: off\nprovider:'))
  await assert.rejects(deploy({ servicePath: dir, stage: 'dev' }), (err) => {
    assert.equal(err.code, 'INVALID_DELETION_PROTECTION_CONFIG')
    assert.equal(err.line, 6)
    return true
  })
})

async function versions(name) {
  const { Versions } = await aws.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }))
  return Versions.map((v) => v.Version).filter((v) => v !== '$LATEST')
}

const byNumberDesc = (a, b) => Number(b) - Number(a)

test('pruneFunctionVersions: after several code changes the newest versions and the aliased one are left', async () => {
  const base = 'service: pruned\nprovider:\n  name: aws\n  runtime: nodejs22.x\n'
  const rest = 'layers:\n  shared:\n    path: layer\nfunctions:\n  a:\n    handler: handler.a\n'
  const dir = service(base + rest)
  fs.mkdirSync(path.join(dir, 'layer'))
  fs.writeFileSync(path.join(dir, 'layer', 'x.js'), 'module.exports = 1\n')
  for (let change = 1; change <= 4; change++) {
    writeHandler(dir, change)
    await deployed(dir)
  }
  const oldest = (await versions('pruned-dev-a')).sort(byNumberDesc).at(-1)
  await aws.lambda.send(new CreateAliasCommand({ FunctionName: 'pruned-dev-a', Name: 'live', FunctionVersion: oldest }))
  const zip = fs.readFileSync(path.join(dir, '.serverless', 'shared.zip'))
  for (let i = 0; i < 4; i++) {
    await aws.lambda.send(new PublishLayerVersionCommand({ LayerName: 'shared', Content: { ZipFile: zip } }))
  }
  const before = await versions('pruned-dev-a')

  fs.writeFileSync(path.join(dir, 'serverless.yml'), `${base}  pruneFunctionVersions:\n    number: 2\n${rest}`)
  writeHandler(dir, 5)
  const pruned = await deployed(dir)
  const after = await versions('pruned-dev-a')

  const every = [...new Set([...before, ...after])]
  const unaliased = every.filter((v) => v !== oldest).sort(byNumberDesc)
  assert.ok(unaliased.length >= 3, `enough versions to prune: ${every}`)
  assert.deepEqual(after.sort(byNumberDesc), [...unaliased.slice(0, 2), oldest].sort(byNumberDesc))
  const deleted = every.length - after.length
  assert.deepEqual(pruned.success, [
    `Pruned ${deleted} function version${deleted === 1 ? '' : 's'}`,
    'Pruned 2 layer versions',
  ])
  for (const v of unaliased.slice(2)) assert.ok(pruned.info.includes(`Deleting function version pruned-dev-a:${v}.`), pruned.info.join('\n'))
  // The deployed function still answers at its newest version.
  const fn = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'pruned-dev-a', Qualifier: unaliased[0] }))
  assert.equal(fn.Configuration.Version, unaliased[0])

  const { LayerVersions } = await aws.lambda.send(new ListLayerVersionsCommand({ LayerName: 'shared' }))
  assert.deepEqual(LayerVersions.map((v) => v.Version).sort(byNumberDesc), [4, 3])
})

/** moto's CloudWatch Logs JSON API (the tests have no CloudWatch Logs SDK; moto checks no signature). */
async function logs(operation, body) {
  const res = await fetch(process.env.AWS_ENDPOINT_URL, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `Logs_20140328.${operation}`,
      Authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${operation}: ${res.status} ${text}`)
  return text ? JSON.parse(text) : {}
}

async function filterNames(group) {
  const { subscriptionFilters } = await logs('DescribeSubscriptionFilters', { logGroupName: group })
  return subscriptionFilters.map((f) => f.filterName).sort()
}

test('subscription filters: the stack\'s filter no event wants is deleted before the update; outside filters leaving no room stop it', async () => {
  const owned = 'subscribed-dev-LegacyFilter-X1'
  const yaml =
    'service: subscribed\nprovider:\n  name: aws\n  runtime: nodejs22.x\nfunctions:\n  a:\n    handler: handler.a\n' +
    '    events:\n      - cloudwatchLog: /ext/app\n' +
    `resources:\n  Resources:\n    LegacyFilter:\n      Type: AWS::Logs::LogGroup\n      Properties:\n        LogGroupName: ${owned}\n`
  await logs('CreateLogGroup', { logGroupName: '/ext/app' })
  const dir = service(yaml)
  await deployed(dir)

  const fnArn = 'arn:aws:lambda:us-east-1:123456789012:function:subscribed-dev-a'
  await logs('PutSubscriptionFilter', { logGroupName: '/ext/app', filterName: owned, filterPattern: '', destinationArn: fnArn })
  await logs('PutSubscriptionFilter', { logGroupName: '/ext/app', filterName: 'external-forwarder', filterPattern: '', destinationArn: fnArn })
  writeHandler(dir, 1)
  const second = await deployed(dir)
  assert.equal(second.result.skipped, false)
  assert.deepEqual(await filterNames('/ext/app'), ['external-forwarder'])

  // Two filters made elsewhere and one event of the service: more than CloudWatch Logs allows. The
  // deploy stops before the upload, so the function keeps its code.
  await logs('PutSubscriptionFilter', { logGroupName: '/ext/app', filterName: 'second-forwarder', filterPattern: '', destinationArn: fnArn })
  const { Configuration: was } = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'subscribed-dev-a' }))
  writeHandler(dir, 2)
  await assert.rejects(deploy({ servicePath: dir }), (err) => {
    assert.equal(err.code, 'CLOUDWATCHLOG_LOG_GROUP_EVENT_PER_FUNCTION_LIMIT_EXCEEDED')
    assert.equal(
      err.message.split('\n')[0],
      `${path.join(dir, 'serverless.yml')}:8:5: Only 2 subscription filters can be configured per log group. There are subscription filters defined outside of the service definition for "/ext/app" that have to be deleted manually.`,
    )
    assert.equal(err.path, 'functions.a.events.0.cloudwatchLog')
    return true
  })
  const { Configuration: now } = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'subscribed-dev-a' }))
  assert.equal(now.CodeSha256, was.CodeSha256)
  assert.deepEqual(await filterNames('/ext/app'), ['external-forwarder', 'second-forwarder'])
})
