'use strict'
// `resources:` (and `functions:`) written as a list of fragments (`- ${file(resources/table.yml)}`).
// osls@4.3.1 deploys crates/slsx-core/tests/fixtures/svc-resources-list to the local emulator first,
// then slsx deploys the same service over it: every resource of osls's stack — the DynamoDB table, the
// queues — must still be there, under the same logical and physical IDs. (Before slsx merged such
// lists it dropped them, and this update deleted the user's table.)

const { test, before } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { DescribeStackResourcesCommand, DescribeStacksCommand } = require('@aws-sdk/client-cloudformation')

const { deploy, printConfig } = require('..')
const { root, clients, copyService, resetEmulator, oslsBin, oslsDeploy } = require('./helpers')

const fixtures = path.join(root, 'crates', 'slsx-core', 'tests', 'fixtures')
const stackName = 'svc-resources-list-dev'
const aws = clients()
before(resetEmulator)

async function stackResources() {
  const { StackResources } = await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))
  // (The emulator lists one entry without a logical ID, as in compat.test.js.)
  return Object.fromEntries(StackResources.filter((r) => r.LogicalResourceId).map((r) => [r.LogicalResourceId, { type: r.ResourceType, physical: r.PhysicalResourceId || null }]))
}

async function outputs() {
  const { Stacks } = await aws.cfn.send(new DescribeStacksCommand({ StackName: stackName }))
  return Object.fromEntries((Stacks[0].Outputs || []).map((o) => [o.OutputKey, o]))
}

/** One JSON-protocol call to the emulator (no SDK client for DynamoDB / SQS in this repo's devDependencies;
 * the emulator reads the service and region from the credential scope). */
async function awsJson(service, target, body) {
  const res = await fetch(process.env.AWS_ENDPOINT_URL, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': target,
      Authorization: `AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: await res.json().catch(() => ({})) }
}

test('slsx updates a stack osls deployed from resources written as a list, keeping every resource', async () => {
  assert.ok(fs.existsSync(oslsBin), 'osls is installed by scripts/test.sh (scripts/osls-golden.sh --install-only)')
  const dir = copyService(path.join(fixtures, 'svc-resources-list'))
  fs.rmSync(path.join(dir, 'golden'), { recursive: true, force: true })
  const r = oslsDeploy(dir)
  assert.equal(r.status, 0, r.stdout + r.stderr)
  const before = await stackResources()
  // What the fragments hold, as osls deployed it.
  for (const [id, type] of [
    ['Table', 'AWS::DynamoDB::Table'],
    ['Queue', 'AWS::SQS::Queue'],
    ['DeadLetters', 'AWS::SQS::Queue'],
    ['Audit', 'AWS::SQS::Queue'],
    ['ApiLambdaFunction', 'AWS::Lambda::Function'],
    ['WorkerLambdaFunction', 'AWS::Lambda::Function'],
  ]) {
    assert.equal(before[id]?.type, type, `osls created ${id}`)
  }
  const beforeOutputs = await outputs()

  fs.rmSync(path.join(dir, '.serverless'), { recursive: true, force: true })
  const result = await deploy({ servicePath: dir })
  assert.equal(result.stackCreated, false)
  assert.equal(result.stackStatus, 'UPDATE_COMPLETE')

  const after = await stackResources()
  const isVersion = (id) => /LambdaVersion[0-9A-Za-z]+$/.test(id)
  // Same logical IDs; zip bytes differ between the tools, so only the Lambda versions are new.
  assert.deepEqual(
    Object.keys(after).filter((id) => !isVersion(id)).sort(),
    Object.keys(before).filter((id) => !isVersion(id)).sort(),
  )
  for (const [id, { type, physical }] of Object.entries(before)) {
    if (isVersion(id)) continue
    assert.deepEqual(after[id], { type, physical }, `${id} kept its physical resource`)
  }

  // And the resources themselves still exist.
  const table = await awsJson('dynamodb', 'DynamoDB_20120810.DescribeTable', { TableName: before.Table.physical })
  assert.equal(table.status, 200, JSON.stringify(table.body))
  assert.equal(table.body.Table.TableName, 'svc-resources-list-dev-items')
  assert.equal(table.body.Table.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST')
  for (const id of ['Queue', 'DeadLetters', 'Audit']) {
    const queueName = before[id].physical.split('/').pop()
    const queue = await awsJson('sqs', 'AmazonSQS.GetQueueUrl', { QueueName: queueName })
    assert.equal(queue.status, 200, `${id}: ${JSON.stringify(queue.body)}`)
  }

  // The outputs of every fragment, with the merged Export.
  const afterOutputs = await outputs()
  for (const key of ['TableName', 'QueueArn', 'QueueUrl']) {
    assert.equal(afterOutputs[key]?.OutputValue, beforeOutputs[key]?.OutputValue, `output ${key}`)
  }
  assert.equal(afterOutputs.TableName.ExportName, 'svc-resources-list-dev-table')
})

test('a list entry of resources that is not a mapping is refused with the file, line and entry', async () => {
  const dir = copyService(path.join(fixtures, 'vars-err-resources-list-item'))
  const file = path.join(fs.realpathSync(dir), 'serverless.yml')
  const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('${file(note.txt)}')) + 1
  await assert.rejects(printConfig({ servicePath: dir }), (err) => {
    assert.equal(err.code, 'LEGACY_CONFIGURATION_PROPERTY_MERGE_INVALID_INPUT')
    assert.equal(err.file, file)
    assert.equal(err.line, line)
    assert.equal(err.path, 'resources.1')
    // osls's text (golden/print-error.txt), then the entry.
    assert.match(err.message, /: Non-object value specified in resources array: 'just a note\\n' \(at "resources\.1"\)\n/)
    return true
  })
})
