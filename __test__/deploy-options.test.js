'use strict'
// The options of a full deploy against the local emulator: method, custom bucket, encryption, stack
// tags, cleanup, and that editing one function uploads and changes only that function.

const { test, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { DescribeStacksCommand, DescribeStackResourcesCommand } = require('@aws-sdk/client-cloudformation')
const { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command } = require('@aws-sdk/client-s3')
const { GetFunctionCommand } = require('@aws-sdk/client-lambda')

const { deploy } = require('..')
const { clients, copyService, resetEmulator } = require('./helpers')

const aws = clients()
beforeEach(resetEmulator)

function withProvider(dir, lines) {
  const yml = path.join(dir, 'serverless.yml')
  fs.writeFileSync(yml, fs.readFileSync(yml, 'utf8').replace('  runtime: nodejs22.x\n', `  runtime: nodejs22.x\n${lines}`))
}

async function keys(bucket) {
  const out = await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket }))
  return (out.Contents || []).map((o) => o.Key).sort()
}

test('deploymentMethod direct updates the stack without a change set; stack tags are applied', async () => {
  const dir = copyService('hello')
  withProvider(dir, '  deploymentMethod: direct\n  stackTags:\n    team: core\n')
  const first = await deploy({ servicePath: dir })
  assert.equal(first.stackStatus, 'UPDATE_COMPLETE')
  assert.equal(first.changeSet, undefined)
  fs.appendFileSync(path.join(dir, 'handler.js'), '\n// edit\n')
  const second = await deploy({ servicePath: dir })
  assert.equal(second.stackStatus, 'UPDATE_COMPLETE')
  const { Stacks } = await aws.cfn.send(new DescribeStacksCommand({ StackName: 'hello-dev' }))
  assert.deepEqual(Stacks[0].Tags, [{ Key: 'STAGE', Value: 'dev' }, { Key: 'team', Value: 'core' }])
})

test('a custom deployment bucket: no bucket resources, the stack created from the whole template, code in that bucket', async () => {
  const dir = copyService('hello')
  withProvider(dir, '  deploymentBucket:\n    name: my-artifacts\n    serverSideEncryption: AES256\n')
  await assert.rejects(deploy({ servicePath: dir }), (err) => {
    assert.equal(err.code, 'DEPLOYMENT_BUCKET_DOES_NOT_EXIST')
    return true
  })
  await assert.rejects(aws.cfn.send(new DescribeStacksCommand({ StackName: 'hello-dev' })), /does not exist/)

  await aws.s3.send(new CreateBucketCommand({ Bucket: 'my-artifacts' }))
  const r = await deploy({ servicePath: dir })
  assert.equal(r.stackCreated, true)
  assert.equal(r.bucket, 'my-artifacts')
  assert.equal(r.stackStatus, 'CREATE_COMPLETE')
  const { StackResources } = await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: 'hello-dev' }))
  assert.ok(!StackResources.some((x) => x.LogicalResourceId === 'ServerlessDeploymentBucket'))
  const head = await aws.s3.send(new HeadObjectCommand({ Bucket: 'my-artifacts', Key: r.artifacts[0].s3Key }))
  assert.equal(head.ServerSideEncryption, 'AES256')
  assert.ok(!fs.existsSync(path.join(dir, '.serverless', 'cloudformation-template-create-stack.json')))
  const again = await deploy({ servicePath: dir })
  assert.equal(again.skipped, true)
})

test('editing one function uploads only its zip and changes only its S3 key', async () => {
  const dir = copyService(path.join(__dirname, 'fixtures', 'two-functions'))
  const first = await deploy({ servicePath: dir })
  const firstKeys = Object.fromEntries(first.artifacts.map((a) => [a.name, a.s3Key]))
  fs.appendFileSync(path.join(dir, 'src', 'second.js'), '\n// changed\n')
  const second = await deploy({ servicePath: dir })
  assert.deepEqual(second.artifacts.map((a) => [a.name, a.uploaded]).sort(), [['first.zip', false], ['second.zip', true]])
  const secondKeys = Object.fromEntries(second.artifacts.map((a) => [a.name, a.s3Key]))
  assert.equal(secondKeys['first.zip'], firstKeys['first.zip'])
  assert.notEqual(secondKeys['second.zip'], firstKeys['second.zip'])
  const fn = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'two-dev-first' }))
  assert.equal(fn.Configuration.CodeSha256, second.artifacts.find((a) => a.name === 'first.zip').sha256)
})

test('cleanup keeps the newest maxPreviousDeploymentArtifacts directories and the code they use', async () => {
  const dir = copyService('hello')
  withProvider(dir, '  deploymentBucket:\n    maxPreviousDeploymentArtifacts: 2\n')
  const results = []
  for (let i = 0; i < 4; i++) {
    fs.appendFileSync(path.join(dir, 'handler.js'), `\n// edit ${i}\n`)
    results.push(await deploy({ servicePath: dir }))
  }
  const all = await keys(results[3].bucket)
  const dirs = [...new Set(all.filter((k) => !k.includes('/code-artifacts/')).map((k) => k.split('/').slice(0, 4).join('/')))]
  assert.deepEqual(dirs, [results[2].deploymentDir, results[3].deploymentDir])
  const code = all.filter((k) => k.includes('/code-artifacts/'))
  assert.deepEqual(code, [results[2].artifacts[0].s3Key, results[3].artifacts[0].s3Key].sort())
  assert.ok(results[3].deleted.includes(results[1].artifacts[0].s3Key))
})

test('large artifacts go up in parts, with their hash as metadata', async () => {
  const dir = copyService('hello')
  // 12 MB that deflate cannot shrink: a zip above the (lowered) threshold, in three 5 MiB parts.
  fs.writeFileSync(path.join(dir, 'blob.bin'), require('node:crypto').randomBytes(12 * 1024 * 1024))
  process.env.SLSX_MULTIPART_THRESHOLD = String(6 * 1024 * 1024)
  process.env.SLSX_MULTIPART_PART_SIZE = String(5 * 1024 * 1024)
  try {
    const r = await deploy({ servicePath: dir })
    const [artifact] = r.artifacts
    assert.ok(artifact.size > 12 * 1024 * 1024)
    const head = await aws.s3.send(new HeadObjectCommand({ Bucket: r.bucket, Key: artifact.s3Key }))
    assert.match(head.ETag, /-3"$/, 'a three-part upload')
    assert.equal(head.ContentLength, artifact.size)
    assert.equal(head.Metadata.filesha256, artifact.sha256)
    const fn = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'hello-dev-hello' }))
    assert.equal(fn.Configuration.CodeSha256, artifact.sha256)
  } finally {
    delete process.env.SLSX_MULTIPART_THRESHOLD
    delete process.env.SLSX_MULTIPART_PART_SIZE
  }
})

test('--aws-s3-accelerate enables transfer acceleration on the deployment bucket; refused with a custom bucket', async () => {
  const dir = copyService('hello')
  const r = await deploy({ servicePath: dir, awsS3Accelerate: true })
  assert.equal(r.stackStatus, 'UPDATE_COMPLETE')
  const template = JSON.parse(fs.readFileSync(path.join(dir, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8'))
  assert.deepEqual(template.Resources.ServerlessDeploymentBucket.Properties.AccelerateConfiguration, { AccelerationStatus: 'Enabled' })
  assert.equal(template.Outputs.ServerlessDeploymentBucketAccelerated.Value, true)
  const off = await deploy({ servicePath: dir, awsS3Accelerate: false, force: true })
  assert.equal(off.stackStatus, 'UPDATE_COMPLETE')
  const suspended = JSON.parse(fs.readFileSync(path.join(dir, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8'))
  assert.deepEqual(suspended.Resources.ServerlessDeploymentBucket.Properties.AccelerateConfiguration, { AccelerationStatus: 'Suspended' })

  const custom = copyService('hello')
  withProvider(custom, '  deploymentBucket: my-bucket\n')
  await assert.rejects(deploy({ servicePath: custom, awsS3Accelerate: true }), (err) => {
    assert.equal(err.code, 'INVALID_OPTION')
    assert.match(err.message, /Transfer Acceleration/)
    return true
  })
})

test('a stack that lost its deployment bucket gets it back; a bucket deleted by hand is reported', async () => {
  const { DeleteBucketCommand, DeleteObjectsCommand } = require('@aws-sdk/client-s3')
  const dir = copyService('hello')
  await aws.s3.send(new CreateBucketCommand({ Bucket: 'own-bucket' }))
  withProvider(dir, '  deploymentBucket: own-bucket\n')
  const custom = await deploy({ servicePath: dir })
  assert.equal(custom.bucket, 'own-bucket')

  // The service stops naming its bucket: the stack gets ServerlessDeploymentBucket (back).
  const yml = path.join(dir, 'serverless.yml')
  fs.writeFileSync(yml, fs.readFileSync(yml, 'utf8').replace('  deploymentBucket: own-bucket\n', ''))
  const restored = await deploy({ servicePath: dir })
  assert.equal(restored.stackStatus, 'UPDATE_COMPLETE')
  assert.match(restored.bucket, /^hello-dev-serverlessdeploymentbucket-/)
  const { StackResources } = await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: 'hello-dev' }))
  assert.ok(StackResources.some((x) => x.LogicalResourceId === 'ServerlessDeploymentBucket'))

  // Someone empties and deletes the stack's bucket by hand.
  const objects = (await keys(restored.bucket)).map((Key) => ({ Key }))
  await aws.s3.send(new DeleteObjectsCommand({ Bucket: restored.bucket, Delete: { Objects: objects } }))
  await aws.s3.send(new DeleteBucketCommand({ Bucket: restored.bucket }))
  fs.appendFileSync(path.join(dir, 'handler.js'), '\n// edit\n')
  await assert.rejects(deploy({ servicePath: dir }), (err) => {
    assert.equal(err.code, 'DEPLOYMENT_BUCKET_REMOVED_MANUALLY')
    return true
  })
})

test('a deploy that fails says why, uploads no state, and the fixed deploy that follows is not skipped', async () => {
  const dir = copyService('hello')
  const yml = path.join(dir, 'serverless.yml')
  const good = fs.readFileSync(yml, 'utf8')
  const first = await deploy({ servicePath: dir })
  // moto refuses a function whose role does not exist (answering in Lambda's protocol, which slsx reads).
  fs.writeFileSync(yml, `${good}  broken:\n    handler: handler.hello\n    role: arn:aws:iam::123456789012:role/missing\n`)
  await assert.rejects(deploy({ servicePath: dir }), (err) => {
    assert.match(err.code, /^AWS_CLOUD_FORMATION_/)
    assert.match(err.message, /The role defined for the function cannot be assumed by Lambda/)
    return true
  })
  fs.writeFileSync(yml, good)
  const fixed = await deploy({ servicePath: dir })
  assert.equal(fixed.skipped, false, 'the last upload never reached the stack: no skip')
  assert.equal(fixed.stackStatus, 'UPDATE_COMPLETE')
  assert.notEqual(fixed.deploymentDir, first.deploymentDir)
})

test('deployment bucket options reach the bucket; KMS encryption reaches every object; an empty change set is reported', async () => {
  // moto creates the bucket without applying VersioningConfiguration; the template carries it (the
  // svc-bucket-object golden checks it), the tags reach the bucket here.
  const { GetBucketTaggingCommand } = require('@aws-sdk/client-s3')
  const dir = copyService('hello')
  withProvider(dir, '  deploymentBucket:\n    versioning: true\n    tags:\n      team: core\n    serverSideEncryption: aws:kms\n    sseKMSKeyId: alias/slsx-test\n')
  const r = await deploy({ servicePath: dir })
  const template = JSON.parse(fs.readFileSync(path.join(dir, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8'))
  assert.deepEqual(template.Resources.ServerlessDeploymentBucket.Properties.VersioningConfiguration, { Status: 'Enabled' })
  const tagging = await aws.s3.send(new GetBucketTaggingCommand({ Bucket: r.bucket }))
  assert.ok(tagging.TagSet.some((t) => t.Key === 'team' && t.Value === 'core'))
  for (const key of [r.artifacts[0].s3Key, `${r.deploymentDir}/compiled-cloudformation-template.json`, `${r.deploymentDir}/serverless-state.json`]) {
    const head = await aws.s3.send(new HeadObjectCommand({ Bucket: r.bucket, Key: key }))
    assert.equal(head.ServerSideEncryption, 'aws:kms', key)
  }
  const forced = await deploy({ servicePath: dir, force: true })
  assert.equal(forced.emptyChangeSet, true)
  assert.equal(forced.stackStatus, 'UPDATE_COMPLETE')
})
