'use strict'
// A stack osls@4.3.1 deployed (against the local emulator) is then deployed by slsx: the same stack,
// updated in place — no resource replaced, only a new Lambda version (zip bytes differ between the
// tools, so the version hash does).

const { test, before } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { DescribeStackResourcesCommand, DescribeStacksCommand } = require('@aws-sdk/client-cloudformation')

const { deploy } = require('..')
const { root, clients, copyService, resetEmulator, oslsBin, oslsDeploy } = require('./helpers')

const aws = clients()
before(resetEmulator)

async function resources() {
  const { StackResources } = await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: 'hello-dev' }))
  return Object.fromEntries(StackResources.filter((r) => r.LogicalResourceId).map((r) => [r.LogicalResourceId, r.PhysicalResourceId || null]))
}

test('slsx updates a stack osls deployed without replacing any resource but the Lambda version', async () => {
  assert.ok(fs.existsSync(oslsBin), 'osls is installed by scripts/test.sh (scripts/osls-golden.sh --install-only)')
  const dir = copyService(path.join(root, 'crates', 'slsx-core', 'tests', 'fixtures', 'hello'))
  fs.rmSync(path.join(dir, 'osls-package'), { recursive: true, force: true })
  const r = oslsDeploy(dir)
  assert.equal(r.status, 0, r.stdout + r.stderr)
  const before = await resources()
  const oslsVersion = Object.keys(before).find((id) => id.startsWith('HelloLambdaVersion'))
  assert.ok(oslsVersion)

  fs.rmSync(path.join(dir, '.serverless'), { recursive: true, force: true })
  const result = await deploy({ servicePath: dir })
  assert.equal(result.stackCreated, false)
  assert.equal(result.stackStatus, 'UPDATE_COMPLETE')
  const after = await resources()
  for (const [id, physical] of Object.entries(before)) {
    if (id === oslsVersion) continue
    assert.equal(after[id], physical, `${id} kept its physical resource`)
  }
  const added = Object.keys(after).filter((id) => !(id in before))
  assert.equal(added.length, 1)
  assert.match(added[0], /^HelloLambdaVersion[0-9A-Za-z]+$/)
  const { Stacks } = await aws.cfn.send(new DescribeStacksCommand({ StackName: 'hello-dev' }))
  assert.equal(Stacks[0].Outputs.find((o) => o.OutputKey === 'ServerlessDeploymentBucketName').OutputValue, before.ServerlessDeploymentBucket)

  // And slsx skips the next deploy of the same code.
  const again = await deploy({ servicePath: dir })
  assert.equal(again.skipped, true)
})
