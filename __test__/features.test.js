'use strict'
// Deploying a service with a layer, destinations, an event invoke config and provisioned concurrency
// against the local emulator (__test__/fixtures/features). moto creates the layer, the versions, the
// functions, their log groups and the role; it ignores AWS::Lambda::Alias and
// AWS::Lambda::EventInvokeConfig (listed without a logical ID), answers `Ref` to a layer version with
// an object's Python repr (so the function gets no layer attached), and cannot create
// AWS::Lambda::Url with its FunctionUrl output at all — which this fixture therefore leaves out.

const { test, before } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { DescribeStackResourcesCommand } = require('@aws-sdk/client-cloudformation')
const { HeadObjectCommand } = require('@aws-sdk/client-s3')
const { GetFunctionCommand } = require('@aws-sdk/client-lambda')

const { deploy } = require('..')
const { clients, copyService, resetEmulator } = require('./helpers')

const aws = clients()
before(resetEmulator)

test('a service with a layer, destinations and provisioned concurrency deploys', async () => {
  const dir = copyService(path.join(__dirname, 'fixtures', 'features'))
  const r = await deploy({ servicePath: dir })
  assert.equal(r.stackStatus, 'UPDATE_COMPLETE')
  assert.deepEqual(r.artifacts.map((a) => a.name).sort(), ['common.zip', 'features.zip'])

  const { StackResources } = await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: 'features-dev' }))
  const byType = {}
  for (const res of StackResources) if (res.LogicalResourceId) (byType[res.ResourceType] ||= []).push(res.LogicalResourceId)
  assert.deepEqual(byType['AWS::Lambda::LayerVersion'], ['CommonLambdaLayer'])
  assert.deepEqual(byType['AWS::Lambda::Function'].sort(), ['MainLambdaFunction', 'WorkerLambdaFunction'])
  assert.equal(byType['AWS::Lambda::Version'].length, 2)
  assert.deepEqual(byType['AWS::Logs::LogGroup'].sort(), ['MainLogGroup', 'WorkerLogGroup'])

  // The layer's outputs: its content-addressed key, which holds its zip.
  const layer = r.artifacts.find((a) => a.name === 'common.zip')
  assert.equal(r.outputs.CommonLambdaLayerS3Key, layer.s3Key)
  assert.match(r.outputs.CommonLambdaLayerHash, /^[0-9a-f]{40}$/)
  const head = await aws.s3.send(new HeadObjectCommand({ Bucket: r.bucket, Key: layer.s3Key }))
  assert.equal(head.Metadata.filesha256, layer.sha256)

  const worker = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'features-dev-worker' }))
  assert.equal(worker.Configuration.MemorySize, 256)
  assert.deepEqual(worker.Configuration.Environment.Variables, { SHARED: 'yes' })
})
