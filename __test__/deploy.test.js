'use strict'
// `deploy()` end to end against the local AWS endpoint (moto), checked with the AWS SDK for JavaScript.

const { test, before } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { DescribeStacksCommand, DescribeStackResourcesCommand } = require('@aws-sdk/client-cloudformation')
const { HeadObjectCommand, ListBucketsCommand } = require('@aws-sdk/client-s3')
const { GetFunctionCommand } = require('@aws-sdk/client-lambda')

const { deploy } = require('..')
const { clients, copyService, sha256Base64, resetEmulator } = require('./helpers')

const aws = clients()
let dir
let first

before(async () => {
  await resetEmulator()
  dir = copyService('hello')
})

async function codeSha256() {
  const fn = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'hello-dev-hello' }))
  return fn.Configuration.CodeSha256
}

test('first deploy creates the stack with the compiled resources', async () => {
  const events = []
  first = await deploy({ servicePath: dir, onProgress: (e) => events.push(e) })
  assert.equal(first.stackName, 'hello-dev')
  assert.equal(first.stackCreated, true)
  assert.equal(first.skipped, false)
  assert.equal(first.stackStatus, 'UPDATE_COMPLETE')
  assert.equal(first.changeSet, 'hello-dev-change-set')
  assert.match(first.deploymentDir, /^serverless\/hello\/dev\/\d{13}-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)

  const { StackResources } = await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: 'hello-dev' }))
  const ids = StackResources.map((r) => r.LogicalResourceId).filter(Boolean).sort()
  // moto does not model AWS::S3::BucketPolicy, so ServerlessDeploymentBucketPolicy is not listed.
  assert.deepEqual(ids.filter((id) => !id.startsWith('HelloLambdaVersion')), [
    'HelloLambdaFunction',
    'HelloLogGroup',
    'IamRoleLambdaExecution',
    'ServerlessDeploymentBucket',
  ])
  assert.equal(ids.filter((id) => /^HelloLambdaVersion[0-9A-Za-z]+$/.test(id)).length, 1)

  const { Stacks } = await aws.cfn.send(new DescribeStacksCommand({ StackName: 'hello-dev' }))
  assert.deepEqual(Stacks[0].Tags, [{ Key: 'STAGE', Value: 'dev' }])
  assert.equal(first.outputs.ServerlessDeploymentBucketName, first.bucket)

  const kinds = new Set(events.map((e) => e.kind))
  for (const k of ['phaseStarted', 'phaseFinished', 'artifactPackaged', 'artifactUploaded', 'stackEvent']) {
    assert.ok(kinds.has(k), `no ${k} event`)
  }
})

test('the code artifact is content-addressed and carries filesha256; Lambda runs exactly that zip', async () => {
  const zip = path.join(dir, '.serverless', 'hello.zip')
  const local = sha256Base64(zip)
  const [artifact] = first.artifacts
  assert.equal(artifact.sha256, local)
  assert.equal(artifact.uploaded, true)
  const hex = Buffer.from(local, 'base64').toString('hex')
  assert.equal(artifact.s3Key, `serverless/hello/dev/code-artifacts/${hex}.zip`)
  const head = await aws.s3.send(new HeadObjectCommand({ Bucket: first.bucket, Key: artifact.s3Key }))
  assert.equal(head.Metadata.filesha256, local)
  assert.equal(await codeSha256(), local)
  for (const file of ['compiled-cloudformation-template.json', 'serverless-state.json']) {
    const h = await aws.s3.send(new HeadObjectCommand({ Bucket: first.bucket, Key: `${first.deploymentDir}/${file}` }))
    assert.match(h.Metadata.filesha256, /^[A-Za-z0-9+/]{43}=$/)
  }
})

test('a second deploy with nothing changed is skipped, with few AWS requests', async () => {
  const again = await deploy({ servicePath: dir })
  assert.equal(again.skipped, true)
  assert.equal(again.deploymentDir, first.deploymentDir)
  assert.equal(again.artifacts[0].uploaded, false)
  // DescribeStacks, ListObjectsV2, 2 × HeadObject (+ DescribeStackResource where outputs are missing)
  assert.ok(again.awsRequests <= 5, `${again.awsRequests} requests`)
})

test('after editing the handler the next deploy updates the function code', async () => {
  const before = await codeSha256()
  fs.appendFileSync(path.join(dir, 'handler.js'), '\nmodule.exports.edited = true\n')
  const r = await deploy({ servicePath: dir })
  assert.equal(r.skipped, false)
  assert.equal(r.stackCreated, false)
  assert.equal(r.artifacts[0].uploaded, true)
  const after = await codeSha256()
  assert.notEqual(after, before)
  assert.equal(after, sha256Base64(path.join(dir, '.serverless', 'hello.zip')))
  assert.notEqual(r.artifacts[0].s3Key, first.artifacts[0].s3Key)
})

test('force deploys although nothing changed', async () => {
  const skipped = await deploy({ servicePath: dir })
  assert.equal(skipped.skipped, true)
  const forced = await deploy({ servicePath: dir, force: true })
  assert.equal(forced.skipped, false)
  assert.equal(forced.artifacts[0].uploaded, false, 'the unchanged zip is already in the bucket')
  assert.notEqual(forced.deploymentDir, skipped.deploymentDir)
})

test('a serverless.yml with a syntax error rejects with a code, the file and the line, and creates nothing', async () => {
  const broken = copyService('hello')
  fs.writeFileSync(
    path.join(broken, 'serverless.yml'),
    'service: broken\n\nprovider:\n  name: aws\n  runtime: [nodejs22.x\n\nfunctions:\n  hello:\n    handler: handler.hello\n',
  )
  const bucketsBefore = (await aws.s3.send(new ListBucketsCommand({}))).Buckets?.length ?? 0
  await assert.rejects(deploy({ servicePath: broken }), (err) => {
    assert.equal(err.code, 'CONFIGURATION_PARSE_ERROR')
    assert.equal(err.file, path.join(fs.realpathSync(broken), 'serverless.yml'))
    assert.equal(typeof err.line, 'number')
    assert.ok(err.line >= 5 && err.line <= 7, `line ${err.line}`)
    assert.match(err.message, /serverless\.yml:\d+:\d+/)
    assert.ok(!err.message.includes('\u0000'))
    return true
  })
  await assert.rejects(aws.cfn.send(new DescribeStacksCommand({ StackName: 'broken-dev' })), /does not exist/)
  const bucketsAfter = (await aws.s3.send(new ListBucketsCommand({}))).Buckets?.length ?? 0
  assert.equal(bucketsAfter, bucketsBefore)
  assert.ok(!fs.existsSync(path.join(broken, '.serverless')), 'nothing was packaged')
})

test('a missing handler names the key and its line', async () => {
  const bad = copyService('hello')
  fs.writeFileSync(path.join(bad, 'serverless.yml'), 'service: bad\nprovider:\n  name: aws\nfunctions:\n  hello:\n    memorySize: 512\n')
  await assert.rejects(deploy({ servicePath: bad }), (err) => {
    assert.equal(err.code, 'CONFIGURATION_INVALID')
    assert.equal(err.path, 'functions.hello.handler')
    assert.equal(err.line, 5)
    return true
  })
})
