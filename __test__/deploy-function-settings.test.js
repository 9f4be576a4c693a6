'use strict'
// `deploy function` against the local emulator, for what osls 4.3.1's `deploy function` sends beyond the
// basic settings: SnapStart, the VPC's Ipv6AllowedForDualStack, every role form it takes (an ARN from
// `provider.role`, the logical ID of a role in `resources`, `Fn::GetAtt [Role, Arn]`), and its refusals
// (a durable function, a role only a stack can resolve) before anything is deployed. moto's request
// recorder shows what was sent, also for fields moto does not keep.

const { test, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { GetFunctionConfigurationCommand } = require('@aws-sdk/client-lambda')
const { IAMClient, CreateRoleCommand, GetRoleCommand } = require('@aws-sdk/client-iam')
const { DescribeStackResourcesCommand } = require('@aws-sdk/client-cloudformation')

const { deploy, deployFunction } = require('..')
const { clients, copyService, resetEmulator, requestsDuring } = require('./helpers')

const aws = clients()
const iam = new IAMClient({ endpoint: process.env.AWS_ENDPOINT_URL, region: 'us-east-1' })
beforeEach(resetEmulator)

const SG = 'sg-0123456789abcdef0'
const SUBNETS = ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb']
const TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
}
const ROLES = [
  'resources:',
  '  Resources:',
  '    NamedRole:',
  '      Type: AWS::IAM::Role',
  '      Properties:',
  '        RoleName: hello-named-role',
  '        Path: /team/',
  `        AssumeRolePolicyDocument: ${JSON.stringify(TRUST)}`,
  '    UnnamedRole:',
  '      Type: AWS::IAM::Role',
  '      Properties:',
  `        AssumeRolePolicyDocument: ${JSON.stringify(TRUST)}`,
  '',
].join('\n')

function getConfig(name) {
  return aws.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))
}

/** Writes serverless.yml: `provider` lines under the provider, `hello` lines under the function, then `tail`. */
function writeService(dir, { provider = [], hello = [], tail = '' } = {}) {
  const indent = (lines, n) => lines.map((l) => `${' '.repeat(n)}${l}\n`).join('')
  fs.writeFileSync(
    path.join(dir, 'serverless.yml'),
    'service: hello\nprovider:\n  name: aws\n  runtime: nodejs22.x\n' +
      indent(provider, 2) +
      'functions:\n  hello:\n    handler: handler.hello\n' +
      indent(hello, 4) +
      tail,
  )
}

const CONFIG = '/2015-03-31/functions/hello-dev-hello/configuration'
const CODE = '/2015-03-31/functions/hello-dev-hello/code'

test('deploy function sends SnapStart and the VPC with Ipv6AllowedForDualStack when they differ', async () => {
  const dir = copyService('hello')
  const vpc = ['vpc:', `  securityGroupIds: [${SG}]`, `  subnetIds: [${SUBNETS.join(', ')}]`]
  writeService(dir, { provider: vpc })
  await deploy({ servicePath: dir })
  assert.ok(!(await getConfig('hello-dev-hello')).VpcConfig.Ipv6AllowedForDualStack)

  writeService(dir, { provider: [...vpc, '  ipv6AllowedForDualStack: true'], hello: ['runtime: java21', 'snapStart: true'] })
  let r
  const sent = await requestsDuring(async () => {
    ;[r] = await deployFunction({ servicePath: dir, functions: ['hello'], updateConfig: true })
  }, 'PUT', CONFIG)
  assert.equal(r.configuration, 'updated')
  assert.equal(sent.length, 1)
  assert.deepEqual(sent[0].SnapStart, { ApplyOn: 'PublishedVersions' })
  assert.equal(sent[0].VpcConfig.Ipv6AllowedForDualStack, true)
  assert.deepEqual(sent[0].VpcConfig.SecurityGroupIds, [SG])
  const c = await getConfig('hello-dev-hello')
  assert.equal(c.VpcConfig.Ipv6AllowedForDualStack, true)

  // The VPC is as wanted now: not sent again. (moto keeps no SnapStart, so it is sent again.)
  const again = await requestsDuring(async () => {
    await deployFunction({ servicePath: dir, functions: ['hello'], updateConfig: true })
  }, 'PUT', CONFIG)
  assert.deepEqual(again, [{ SnapStart: { ApplyOn: 'PublishedVersions' } }])

  // Turned off again: the flag is sent as false.
  writeService(dir, { provider: vpc })
  const off = await requestsDuring(async () => {
    await deployFunction({ servicePath: dir, functions: ['hello'], updateConfig: true })
  }, 'PUT', CONFIG)
  assert.equal(off.length, 1)
  assert.equal(off[0].VpcConfig.Ipv6AllowedForDualStack, false)
  assert.equal(off[0].SnapStart, undefined)
  assert.equal((await getConfig('hello-dev-hello')).VpcConfig.Ipv6AllowedForDualStack, false)
})

test('deploy function sets the role of provider.role, of a resources logical ID, and of Fn::GetAtt through the stack', async () => {
  const dir = copyService('hello')
  writeService(dir, { tail: ROLES })
  await deploy({ servicePath: dir })
  const deployedRole = (await getConfig('hello-dev-hello')).Role

  // A logical ID: the role's Path and RoleName in the account of the function.
  writeService(dir, { hello: ['role: NamedRole'], tail: ROLES })
  let sent = await requestsDuring(async () => {
    await deployFunction({ servicePath: dir, functions: ['hello'], updateConfig: true })
  }, 'PUT', CONFIG)
  const named = (await iam.send(new GetRoleCommand({ RoleName: 'hello-named-role' }))).Role.Arn
  assert.equal(named, 'arn:aws:iam::123456789012:role/team/hello-named-role')
  assert.deepEqual(sent, [{ Role: named }])
  assert.equal((await getConfig('hello-dev-hello')).Role, named)

  // Fn::GetAtt [X, Arn]: the role the stack made for X (its name is CloudFormation's, not X).
  writeService(dir, { hello: ['role:', '  Fn::GetAtt: [UnnamedRole, Arn]'], tail: ROLES })
  sent = await requestsDuring(async () => {
    await deployFunction({ servicePath: dir, functions: ['hello'], updateConfig: true })
  }, 'PUT', CONFIG)
  const { StackResources } = await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: 'hello-dev' }))
  const physical = StackResources.find((r) => r.LogicalResourceId === 'UnnamedRole').PhysicalResourceId
  assert.notEqual(physical, 'UnnamedRole')
  const unnamed = (await iam.send(new GetRoleCommand({ RoleName: physical }))).Role.Arn
  assert.deepEqual(sent, [{ Role: unnamed }])
  assert.equal((await getConfig('hello-dev-hello')).Role, unnamed)

  // provider.role as an ARN (the legacy key); nothing is sent once it is the deployed one.
  const { Role } = await iam.send(
    new CreateRoleCommand({ RoleName: 'hello-provider-role', AssumeRolePolicyDocument: JSON.stringify(TRUST) }),
  )
  writeService(dir, { provider: [`role: ${Role.Arn}`], tail: ROLES })
  sent = await requestsDuring(async () => {
    await deployFunction({ servicePath: dir, functions: ['hello'], updateConfig: true })
  }, 'PUT', CONFIG)
  assert.deepEqual(sent, [{ Role: Role.Arn }])
  const [same] = await deployFunction({ servicePath: dir, functions: ['hello'], updateConfig: true })
  assert.equal(same.configuration, 'unchanged')
  assert.notEqual(Role.Arn, deployedRole)
})

test('deploy function refuses a role only a stack can resolve, before deploying any code', async () => {
  const dir = copyService('hello')
  writeService(dir, { tail: ROLES })
  await deploy({ servicePath: dir })
  const before = await getConfig('hello-dev-hello')
  fs.appendFileSync(path.join(dir, 'handler.js'), '\n// changed\n')
  for (const [hello, code, pattern] of [
    [['role:', '  Fn::ImportValue: shared-role'], 'DEPLOY_FUNCTION_ROLE_UNSUPPORTED', /cannot resolve the role/],
    [['role: NoSuchRole'], 'ROLE_NOT_IN_RESOURCES', /"NoSuchRole" is not a resource of resources.Resources/],
    [['role: UnnamedRole'], 'MISSING_ROLENAME_FOR_ROLE', /Role resource missing RoleName property/],
  ]) {
    writeService(dir, { hello, tail: ROLES })
    const sent = await requestsDuring(async () => {
      await assert.rejects(deployFunction({ servicePath: dir, functions: ['hello'] }), (err) => {
        assert.equal(err.code, code)
        assert.match(err.message, pattern)
        assert.equal(err.path, 'functions.hello.role')
        assert.equal(err.line, 8)
        return true
      })
    }, 'PUT', CODE)
    assert.deepEqual(sent, [], `${code}: no code was sent`)
  }
  assert.equal((await getConfig('hello-dev-hello')).CodeSha256, before.CodeSha256)
})

test('deploy function refuses a durable function before deploying anything (DURABLE_DEPLOY_FUNCTION_UNSUPPORTED)', async () => {
  const dir = copyService('hello')
  await deploy({ servicePath: dir })
  const before = await getConfig('hello-dev-hello')
  fs.appendFileSync(path.join(dir, 'handler.js'), '\n// changed\n')
  writeService(dir, { hello: ['durableConfig:', '  executionTimeout: 300'] })
  const sent = await requestsDuring(async () => {
    await assert.rejects(deployFunction({ servicePath: dir, functions: ['hello'] }), (err) => {
      assert.equal(err.code, 'DURABLE_DEPLOY_FUNCTION_UNSUPPORTED')
      assert.match(err.message, /^Function "hello" is configured with durableConfig locally or in AWS\. Use "slsx deploy"/)
      return true
    })
  }, 'PUT', CODE)
  assert.deepEqual(sent, [])
  assert.equal((await getConfig('hello-dev-hello')).CodeSha256, before.CodeSha256)
})
