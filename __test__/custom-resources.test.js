'use strict'
// slsx's own custom-resource Lambda handlers (crates/slsx-core/custom-resources/), required directly and
// run against the local emulator: Create, Update and Delete for existing S3 buckets, existing Cognito
// user pools, the API Gateway account CloudWatch role and Serverless v3's legacy EventBridge rules. A small HTTP server on 127.0.0.1 stands in
// for CloudFormation's pre-signed ResponseURL; the real effect is checked through the SDK.
//
// What moto cannot show: Lambda AddPermission never reports ResourceConflictException for a duplicate
// statement id (so the replace-on-conflict path is not exercised), S3 does not check that the bucket
// may invoke the function, and UpdateUserPool merges rather than resetting omitted settings (so the
// "send the whole configuration back" logic is checked by asserting the settings survive, which moto
// would also pass without it). EventBridge in moto deletes an event bus that still has rules (AWS
// refuses with a ValidationException; the tests put that check in front of moto) and never reports
// FailedEntries from PutTargets / RemoveTargets.

const { test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const path = require('node:path')
const crypto = require('node:crypto')
const {
  S3Client,
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
} = require('@aws-sdk/client-s3')
const { LambdaClient, CreateFunctionCommand, GetPolicyCommand } = require('@aws-sdk/client-lambda')
const {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
} = require('@aws-sdk/client-cognito-identity-provider')
const {
  IAMClient,
  CreateRoleCommand,
  GetRoleCommand,
  GetPolicyCommand: GetIamPolicyCommand,
  ListAttachedRolePoliciesCommand,
} = require('@aws-sdk/client-iam')
const { APIGatewayClient, GetAccountCommand } = require('@aws-sdk/client-api-gateway')
const {
  EventBridgeClient,
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DescribeEventBusCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
} = require('@aws-sdk/client-eventbridge')
const { AddPermissionCommand } = require('@aws-sdk/client-lambda')

const { resetEmulator } = require('./helpers')

const dir = path.join(__dirname, '..', 'crates', 'slsx-core', 'custom-resources')
const utils = require(path.join(dir, 'utils.js'))
const s3Handler = require(path.join(dir, 's3', 'handler.js'))
const cognitoHandler = require(path.join(dir, 'cognito-user-pool', 'handler.js'))
const roleHandler = require(path.join(dir, 'api-gateway-cloud-watch-role', 'handler.js'))
const eventBridgeHandler = require(path.join(dir, 'event-bridge', 'handler.js'))

const endpoint = process.env.AWS_ENDPOINT_URL
if (!endpoint || !/^http:\/\/127\.0\.0\.1:\d+$/.test(endpoint)) {
  throw new Error('AWS_ENDPOINT_URL must point at the local emulator: run the tests with `npm test`')
}
const region = 'us-east-1'
const account = '123456789012'
const aws = {
  s3: new S3Client({ endpoint, region, forcePathStyle: true }),
  lambda: new LambdaClient({ endpoint, region }),
  cognito: new CognitoIdentityProviderClient({ endpoint, region }),
  iam: new IAMClient({ endpoint, region }),
  apigw: new APIGatewayClient({ endpoint, region }),
  events: new EventBridgeClient({ endpoint, region }),
}

const fnArn = (name) => `arn:aws:lambda:${region}:${account}:function:${name}`

// ---- the stand-in for CloudFormation's ResponseURL -------------------------------------------------

let server
let responseBase
const received = new Map()

// What the handlers would write to CloudWatch Logs; kept out of the test output.
const logs = []
utils.logger.log = (...args) => logs.push(args.join(' '))
utils.logger.error = (...args) => logs.push(args.map(String).join(' '))

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      received.set(req.url, { method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() })
      res.writeHead(200)
      res.end()
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  responseBase = `http://127.0.0.1:${server.address().port}`
})

after(() => server.close())
beforeEach(async () => {
  logs.length = 0
  await resetEmulator()
})

function context(overrides = {}) {
  return {
    invokedFunctionArn: fnArn('svc-dev-custom-resource-handler'),
    logStreamName: '2030/01/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 180000,
    ...overrides,
  }
}

/** Invokes `handler` like CloudFormation would and returns the response it PUT to the ResponseURL. */
async function invoke(handler, { RequestType, ResourceType, properties, oldProperties, physicalId, ctx }) {
  const id = crypto.randomUUID()
  const event = {
    RequestType,
    ServiceToken: fnArn('svc-dev-custom-resource-handler'),
    ResponseURL: `${responseBase}/cfn/${id}?X-Amz-Signature=not-a-secret`,
    StackId: `arn:aws:cloudformation:${region}:${account}:stack/svc-dev/${id}`,
    RequestId: id,
    LogicalResourceId: 'TheCustomResource',
    ResourceType,
    ResourceProperties: { ServiceToken: fnArn('svc-dev-custom-resource-handler'), ...properties },
    ...(oldProperties && {
      OldResourceProperties: { ServiceToken: fnArn('svc-dev-custom-resource-handler'), ...oldProperties },
    }),
    ...(physicalId && { PhysicalResourceId: physicalId }),
  }
  await handler.handler(event, ctx || context())
  const got = received.get(`/cfn/${id}?X-Amz-Signature=not-a-secret`)
  assert.ok(got, 'the handler answered the ResponseURL')
  assert.equal(got.method, 'PUT')
  assert.equal(got.headers['content-type'], '')
  assert.ok(!logs.some((line) => line.includes('not-a-secret')), 'the pre-signed ResponseURL is never logged')
  const body = JSON.parse(got.body)
  assert.equal(body.StackId, event.StackId)
  assert.equal(body.RequestId, id)
  assert.equal(body.LogicalResourceId, 'TheCustomResource')
  assert.equal(typeof body.Reason, 'string')
  assert.ok(body.PhysicalResourceId)
  return body
}

/** `invoke` for one custom resource type: `(RequestType, properties, oldProperties)`, with the
 *  physical id CloudFormation sends on every request but Create. */
function invoker(handler, ResourceType, physicalId) {
  return (RequestType, properties, oldProperties) =>
    invoke(handler, {
      RequestType,
      ResourceType,
      properties,
      oldProperties,
      ...(RequestType !== 'Create' && { physicalId }),
    })
}

const s3Invoke = invoker(s3Handler, 'Custom::S3', 'CustomResourceExistingS3')
const cognitoInvoke = invoker(cognitoHandler, 'Custom::CognitoUserPool', 'CustomResourceExistingCognitoUserPool')
const roleInvoke = invoker(roleHandler, 'Custom::ApiGatewayAccountRole', 'CustomResourceApiGatewayAccountCloudWatchRole')
const ebInvoke = invoker(eventBridgeHandler, 'Custom::EventBridge', 'CustomResourceEventBridge')

function assertSuccess(response) {
  assert.equal(response.Status, 'SUCCESS', response.Reason)
}

/** FAILED, with a Reason that matches every one of `reasons`. */
function assertFailed(response, ...reasons) {
  assert.equal(response.Status, 'FAILED')
  for (const reason of reasons) assert.match(response.Reason, reason)
}

// ---- fixtures --------------------------------------------------------------------------------------

async function createFunction(name) {
  let role
  try {
    role = (
      await aws.iam.send(
        new CreateRoleCommand({
          RoleName: 'fn-role',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        }),
      )
    ).Role.Arn
  } catch {
    role = (await aws.iam.send(new GetRoleCommand({ RoleName: 'fn-role' }))).Role.Arn
  }
  await aws.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Role: role,
      Handler: 'handler.hello',
      Code: { ZipFile: Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'binary') },
    }),
  )
}

async function policyStatements(name) {
  try {
    const out = await aws.lambda.send(new GetPolicyCommand({ FunctionName: name }))
    return JSON.parse(out.Policy).Statement
  } catch (error) {
    if (error.name === 'ResourceNotFoundException') return []
    throw error
  }
}

async function notifications(bucket) {
  const out = await aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }))
  return {
    lambda: out.LambdaFunctionConfigurations || [],
    queue: out.QueueConfigurations || [],
  }
}

const rulesOf = (entry) =>
  ((entry.Filter && entry.Filter.Key && entry.Filter.Key.FilterRules) || []).map((r) => `${r.Name.toLowerCase()}=${r.Value}`)

// ---- Custom::S3 ------------------------------------------------------------------------------------

test('Custom::S3 adds, updates, moves and removes its notifications and keeps foreign ones', async () => {
  const fn = 'svc-dev-resize'
  await createFunction(fn)
  await aws.s3.send(new CreateBucketCommand({ Bucket: 'photos.existing' }))
  await aws.s3.send(new CreateBucketCommand({ Bucket: 'photos-second' }))
  // Someone else's notifications on the bucket.
  await aws.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: 'photos.existing',
      NotificationConfiguration: {
        QueueConfigurations: [
          { Id: 'audit-queue', QueueArn: `arn:aws:sqs:${region}:${account}:audit`, Events: ['s3:ObjectRemoved:*'] },
        ],
        LambdaFunctionConfigurations: [
          { Id: 'foreign-hook', LambdaFunctionArn: fnArn('someone-else'), Events: ['s3:ObjectCreated:Put'] },
          // Looks like ours but belongs to a function whose name only starts the same.
          {
            Id: `${fn}-extra-0123456789abcdef0123456789abcdef`,
            LambdaFunctionArn: fnArn(`${fn}-extra`),
            Events: ['s3:ObjectCreated:Copy'],
          },
        ],
      },
    }),
  )

  const onBucket = (BucketName, BucketConfigs, FunctionName = fn) => ({ FunctionName, BucketName, BucketConfigs })
  const createConfigs = [{ Event: 's3:ObjectCreated:*', Rules: [{ Prefix: 'uploads/' }, { Suffix: '.jpg' }] }]
  const created = await s3Invoke('Create', onBucket('photos.existing', createConfigs))
  assertSuccess(created)
  assert.equal(created.PhysicalResourceId, 'CustomResourceExistingS3')

  let got = await notifications('photos.existing')
  assert.deepEqual(
    got.queue.map((q) => q.Id),
    ['audit-queue'],
  )
  const foreign = got.lambda.filter((c) => c.LambdaFunctionArn !== fnArn(fn))
  assert.deepEqual(
    foreign.map((c) => c.Id).sort(),
    ['foreign-hook', `${fn}-extra-0123456789abcdef0123456789abcdef`].sort(),
  )
  let ours = got.lambda.filter((c) => c.LambdaFunctionArn === fnArn(fn))
  assert.equal(ours.length, 1)
  assert.equal(ours[0].Id, s3Handler.entryId(fn, createConfigs[0]))
  assert.match(ours[0].Id, new RegExp(`^${fn}-[0-9a-f]{32}$`))
  assert.deepEqual(ours[0].Events, ['s3:ObjectCreated:*'])
  assert.deepEqual(rulesOf(ours[0]), ['prefix=uploads/', 'suffix=.jpg'])

  let statements = await policyStatements(fn)
  assert.equal(statements.length, 1)
  assert.equal(statements[0].Sid, `${fn}-photosexisting`)
  assert.equal(statements[0].Sid, s3Handler.statementId({ functionName: fn, bucketName: 'photos.existing' }))
  assert.equal(statements[0].Principal.Service, 's3.amazonaws.com')
  assert.equal(JSON.stringify(statements[0]).includes('arn:aws:s3:::photos.existing'), true)

  // Update, same bucket: the function's entries are replaced by the new set.
  const updateConfigs = [
    { Event: 's3:ObjectCreated:*', Rules: [{ Prefix: 'incoming/' }] },
    { Event: 's3:ObjectRemoved:*', Rules: [] },
  ]
  const updated = await s3Invoke(
    'Update',
    onBucket('photos.existing', updateConfigs),
    onBucket('photos.existing', createConfigs),
  )
  assertSuccess(updated)
  assert.equal(updated.PhysicalResourceId, 'CustomResourceExistingS3')
  got = await notifications('photos.existing')
  ours = got.lambda.filter((c) => c.LambdaFunctionArn === fnArn(fn))
  assert.deepEqual(
    ours.map((c) => [c.Events[0], rulesOf(c)]),
    [
      ['s3:ObjectCreated:*', ['prefix=incoming/']],
      ['s3:ObjectRemoved:*', []],
    ],
  )
  assert.equal(got.lambda.length, 4)
  assert.equal(got.queue.length, 1)
  assert.equal((await policyStatements(fn)).length, 1)

  // Update to another bucket: the old one is cleaned, the permission follows.
  const moved = await s3Invoke(
    'Update',
    onBucket('photos-second', updateConfigs),
    onBucket('photos.existing', updateConfigs),
  )
  assertSuccess(moved)
  got = await notifications('photos.existing')
  assert.equal(got.lambda.filter((c) => c.LambdaFunctionArn === fnArn(fn)).length, 0)
  assert.equal(got.lambda.length, 2)
  assert.equal(got.queue.length, 1)
  assert.equal((await notifications('photos-second')).lambda.length, 2)
  statements = await policyStatements(fn)
  assert.deepEqual(
    statements.map((s) => s.Sid),
    [`${fn}-photos-second`],
  )

  // Delete: the function's entries and permission go, nothing else.
  const deleted = await s3Invoke('Delete', onBucket('photos-second', updateConfigs))
  assertSuccess(deleted)
  assert.equal(deleted.PhysicalResourceId, 'CustomResourceExistingS3')
  assert.deepEqual((await notifications('photos-second')).lambda, [])
  assert.deepEqual(await policyStatements(fn), [])

  // Delete again, and Delete for a bucket and function that no longer exist: still SUCCESS.
  assertSuccess(await s3Invoke('Delete', onBucket('photos-second', updateConfigs)))
  assertSuccess(await s3Invoke('Delete', onBucket('no-such-bucket-anymore', [], 'svc-dev-gone')))
})

test('Custom::S3 Create on a bucket that does not exist answers FAILED naming it, and changes nothing', async () => {
  const fn = 'svc-dev-resize'
  await createFunction(fn)
  const response = await s3Invoke('Create', {
    FunctionName: fn,
    BucketName: 'missing-bucket-xyz',
    BucketConfigs: [{ Event: 's3:ObjectCreated:*', Rules: [] }],
  })
  assertFailed(response, /missing-bucket-xyz/, /does not exist/)
  assert.doesNotMatch(response.Reason, /not-a-secret|testing/)
  assert.equal(response.PhysicalResourceId, 'CustomResourceExistingS3')
  assert.deepEqual(await policyStatements(fn), [])
})

// ---- Custom::CognitoUserPool -----------------------------------------------------------------------

test('Custom::CognitoUserPool sets, replaces and removes its triggers and keeps the rest of the pool', async () => {
  const fn = 'svc-dev-auth'
  await createFunction(fn)
  const { UserPool } = await aws.cognito.send(
    new CreateUserPoolCommand({
      PoolName: 'existing pool',
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireSymbols: false } },
      AutoVerifiedAttributes: ['email'],
      LambdaConfig: { PreSignUp: fnArn('someone-else') },
    }),
  )
  await aws.cognito.send(new CreateUserPoolCommand({ PoolName: 'another pool' }))
  const describe = async () =>
    (await aws.cognito.send(new DescribeUserPoolCommand({ UserPoolId: UserPool.Id }))).UserPool

  const onPool = (UserPoolName, UserPoolConfigs, FunctionName = fn) => ({ FunctionName, UserPoolName, UserPoolConfigs })
  const createConfigs = [{ Trigger: 'PostConfirmation' }, { Trigger: 'CustomMessage' }]
  const created = await cognitoInvoke('Create', onPool('existing pool', createConfigs))
  assertSuccess(created)
  assert.equal(created.PhysicalResourceId, 'CustomResourceExistingCognitoUserPool')
  let pool = await describe()
  assert.deepEqual(pool.LambdaConfig, {
    PreSignUp: fnArn('someone-else'),
    PostConfirmation: fnArn(fn),
    CustomMessage: fnArn(fn),
  })
  assert.equal(pool.Policies.PasswordPolicy.MinimumLength, 12)
  assert.deepEqual(pool.AutoVerifiedAttributes, ['email'])
  let statements = await policyStatements(fn)
  assert.equal(statements.length, 1)
  assert.equal(statements[0].Sid, `${fn}-existingpool`)
  assert.equal(statements[0].Principal.Service, 'cognito-idp.amazonaws.com')
  assert.ok(JSON.stringify(statements[0]).includes(`userpool/${UserPool.Id}`))

  // Update: other triggers, including a versioned one and a custom sender with its KMS key.
  const kmsKey = `arn:aws:kms:${region}:${account}:key/11111111-2222-3333-4444-555555555555`
  const updateConfigs = [
    { Trigger: 'PreTokenGeneration', LambdaVersion: 'V2_0' },
    { Trigger: 'CustomEmailSender', LambdaVersion: 'V1_0', KMSKeyID: kmsKey },
  ]
  const updated = await cognitoInvoke(
    'Update',
    onPool('existing pool', updateConfigs),
    onPool('existing pool', createConfigs),
  )
  assertSuccess(updated)
  pool = await describe()
  assert.deepEqual(pool.LambdaConfig, {
    PreSignUp: fnArn('someone-else'),
    PreTokenGenerationConfig: { LambdaArn: fnArn(fn), LambdaVersion: 'V2_0' },
    CustomEmailSender: { LambdaArn: fnArn(fn), LambdaVersion: 'V1_0' },
    KMSKeyID: kmsKey,
  })
  assert.equal(pool.Policies.PasswordPolicy.MinimumLength, 12)
  assert.equal((await policyStatements(fn)).length, 1)

  // Delete: only the foreign trigger is left, the KMS key goes with the last custom sender.
  const deleted = await cognitoInvoke('Delete', onPool('existing pool', updateConfigs))
  assertSuccess(deleted)
  pool = await describe()
  assert.deepEqual(pool.LambdaConfig, { PreSignUp: fnArn('someone-else') })
  assert.equal(pool.Policies.PasswordPolicy.MinimumLength, 12)
  statements = await policyStatements(fn)
  assert.deepEqual(statements, [])

  // Delete for a pool that no longer exists: SUCCESS.
  assertSuccess(await cognitoInvoke('Delete', onPool('gone pool', [], 'svc-dev-gone')))
})

test('Custom::CognitoUserPool Create on a pool that does not exist answers FAILED naming it', async () => {
  const fn = 'svc-dev-auth'
  await createFunction(fn)
  const response = await cognitoInvoke('Create', {
    FunctionName: fn,
    UserPoolName: 'no such pool',
    UserPoolConfigs: [{ Trigger: 'PreSignUp' }],
  })
  assertFailed(response, /Could not find Cognito User Pool "no such pool"/)
  assert.equal(response.PhysicalResourceId, 'CustomResourceExistingCognitoUserPool')
  assert.deepEqual(await policyStatements(fn), [])
})

test('Custom::CognitoUserPool sends back the pool settings UpdateUserPool would otherwise reset', () => {
  const request = cognitoHandler.updateRequest(
    {
      Id: 'us-east-1_abc',
      Name: 'p',
      Arn: 'arn',
      CreationDate: new Date(),
      SchemaAttributes: [],
      Policies: { PasswordPolicy: { MinimumLength: 10 } },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true, UnusedAccountValidityDays: 3 },
      DeletionProtection: 'ACTIVE',
      MfaConfiguration: 'OFF',
    },
    { PreSignUp: 'arn:x' },
  )
  assert.deepEqual(request, {
    UserPoolId: 'us-east-1_abc',
    Policies: { PasswordPolicy: { MinimumLength: 10, TemporaryPasswordValidityDays: 3 } },
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    DeletionProtection: 'ACTIVE',
    MfaConfiguration: 'OFF',
    LambdaConfig: { PreSignUp: 'arn:x' },
  })
})

// ---- Custom::ApiGatewayAccountRole -----------------------------------------------------------------

const defaultRole = 'serverlessApiGatewayCloudWatchRole'
const pushToLogsPolicy = 'arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'

async function cloudwatchRoleArn() {
  return (await aws.apigw.send(new GetAccountCommand({}))).cloudwatchRoleArn
}

test('Custom::ApiGatewayAccountRole sets a configured role on Create and Update and leaves it on Delete', async () => {
  const first = `arn:aws:iam::${account}:role/my-apigw-logs`
  const created = await roleInvoke('Create', { RoleArn: first })
  assertSuccess(created)
  assert.equal(created.PhysicalResourceId, 'CustomResourceApiGatewayAccountCloudWatchRole')
  assert.equal(await cloudwatchRoleArn(), first)
  // A configured role is used as it is: no default role is created.
  await assert.rejects(aws.iam.send(new GetRoleCommand({ RoleName: defaultRole })), { name: 'NoSuchEntityException' })

  // provider.logs.restApi.role changed: Update sets the new one.
  const second = `arn:aws:iam::${account}:role/other-apigw-logs`
  const updated = await roleInvoke('Update', { RoleArn: second }, { RoleArn: first })
  assertSuccess(updated)
  assert.equal(updated.PhysicalResourceId, 'CustomResourceApiGatewayAccountCloudWatchRole')
  assert.equal(await cloudwatchRoleArn(), second)

  // Delete leaves the account-wide setting alone.
  const deleted = await roleInvoke('Delete', { RoleArn: second })
  assertSuccess(deleted)
  assert.equal(await cloudwatchRoleArn(), second)
})

test('Custom::ApiGatewayAccountRole without RoleArn creates serverlessApiGatewayCloudWatchRole and sets it', async (t) => {
  const roleArn = `arn:aws:iam::${account}:role/${defaultRole}`
  // moto knows AWS managed policies only when its server runs with MOTO_IAM_LOAD_MANAGED_POLICIES=true.
  const managedPolicies = await aws.iam
    .send(new GetIamPolicyCommand({ PolicyArn: pushToLogsPolicy }))
    .then(() => true)
    .catch(() => false)

  const created = await roleInvoke('Create', {})
  const role = (await aws.iam.send(new GetRoleCommand({ RoleName: defaultRole }))).Role
  assert.equal(role.Arn, roleArn)
  assert.match(decodeURIComponent(role.AssumeRolePolicyDocument), /apigateway\.amazonaws\.com/)

  if (!managedPolicies) {
    t.diagnostic(
      'moto has no AWS managed policies (start it with MOTO_IAM_LOAD_MANAGED_POLICIES=true for the full check): ' +
        'checking that the refused AttachRolePolicy answers FAILED',
    )
    assertFailed(created, /AmazonAPIGatewayPushToCloudWatchLogs/, new RegExp(defaultRole))
    assert.equal(await cloudwatchRoleArn(), undefined)
    return
  }

  assertSuccess(created)
  assert.equal(await cloudwatchRoleArn(), roleArn)
  const attached = async () =>
    (await aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: defaultRole }))).AttachedPolicies.map(
      (p) => p.PolicyArn,
    )
  assert.deepEqual(await attached(), [pushToLogsPolicy])

  // Again, as another stack in the same account would: the role is reused as it is.
  assertSuccess(await roleInvoke('Create', {}))
  assert.deepEqual(await attached(), [pushToLogsPolicy])
  assert.equal(await cloudwatchRoleArn(), roleArn)
})

// ---- Custom::EventBridge ---------------------------------------------------------------------------

const busArn = (name) => `arn:aws:events:${region}:${account}:event-bus/${name}`

/** Rules on a bus (undefined: the default bus) as { name: { rule, targets } }; {} when the bus is gone. */
async function rulesOn(EventBusName) {
  let rules
  try {
    rules = (await aws.events.send(new ListRulesCommand({ EventBusName }))).Rules || []
  } catch (error) {
    if (error.name === 'ResourceNotFoundException') return {}
    throw error
  }
  const result = {}
  for (const rule of rules) {
    const { Targets } = await aws.events.send(new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName }))
    result[rule.Name] = { rule, targets: Targets || [] }
  }
  return result
}

async function busExists(Name) {
  try {
    await aws.events.send(new DescribeEventBusCommand({ Name }))
    return true
  } catch (error) {
    if (error.name === 'ResourceNotFoundException') return false
    throw error
  }
}

/** moto deletes an event bus that still has rules; AWS refuses with this ValidationException. Puts that
 *  check in front of moto for every EventBridge client (the handler's included) while `fn` runs. */
async function withAwsBusDeletionCheck(fn) {
  const send = EventBridgeClient.prototype.send
  let refused = 0
  EventBridgeClient.prototype.send = async function (command, ...rest) {
    if (command instanceof DeleteEventBusCommand) {
      const rules = await send
        .call(this, new ListRulesCommand({ EventBusName: command.input.Name }))
        .catch(() => ({ Rules: [] }))
      if ((rules.Rules || []).length > 0) {
        refused++
        const error = new Error("EventBus can't be deleted since it has rules.")
        error.name = 'ValidationException'
        throw error
      }
    }
    return send.call(this, command, ...rest)
  }
  try {
    await fn()
  } finally {
    EventBridgeClient.prototype.send = send
  }
  return refused
}

function ebProperties(FunctionName, EventBridgeConfig) {
  return { FunctionName, EventBridgeConfig }
}

test('Custom::EventBridge creates, updates and deletes rules, targets, buses and permissions', async () => {
  const scheduled = 'svc-dev-scheduled'
  const listener = 'svc-dev-listener'
  await createFunction(scheduled)
  await createFunction(listener)
  await aws.events.send(new CreateEventBusCommand({ Name: 'existing' }))

  // What Serverless v3 compiles (CloudFormation hands numbers over as strings).
  const onDefault = ebProperties(scheduled, {
    RuleName: 'svc-dev-scheduled-rule-1',
    State: 'ENABLED',
    Schedule: 'rate(10 minutes)',
    Input: { key1: 'value1', nested: { key2: '2' } },
  })
  const onNewBus = ebProperties(scheduled, {
    RuleName: 'my-app-rule',
    State: 'ENABLED',
    EventBus: 'custom-bus',
    Pattern: { source: ['my.app'] },
    InputPath: '$.detail',
  })
  const onExistingBus = ebProperties(listener, {
    RuleName: 'svc-dev-listener-rule-1',
    State: 'DISABLED',
    EventBus: busArn('existing'),
    Pattern: { 'source': ['other.app'], 'detail-type': ['Thing Happened'] },
    InputTransformer: { InputPathsMap: { thing: '$.detail.thing' }, InputTemplate: '{"thing": <thing>}' },
  })
  // A second rule on the same new bus: the bus exists by then.
  const secondOnNewBus = ebProperties(listener, {
    RuleName: 'svc-dev-listener-rule-2',
    State: 'ENABLED',
    EventBus: 'custom-bus',
    Pattern: { source: ['my.app'], detail: { state: ['ready'] } },
  })

  for (const properties of [onDefault, onNewBus, onExistingBus, secondOnNewBus]) {
    const created = await ebInvoke('Create', properties)
    assertSuccess(created)
    assert.equal(created.PhysicalResourceId, 'CustomResourceEventBridge')
  }

  let rules = await rulesOn(undefined)
  assert.deepEqual(Object.keys(rules), ['svc-dev-scheduled-rule-1'])
  let { rule, targets } = rules['svc-dev-scheduled-rule-1']
  assert.equal(rule.ScheduleExpression, 'rate(10 minutes)')
  assert.equal(rule.State, 'ENABLED')
  assert.equal(rule.EventPattern, undefined)
  assert.deepEqual(targets, [
    {
      Id: 'svc-dev-scheduled-rule-1-target',
      Arn: fnArn(scheduled),
      Input: JSON.stringify({ key1: 'value1', nested: { key2: '2' } }),
    },
  ])

  assert.ok(await busExists('custom-bus'))
  rules = await rulesOn('custom-bus')
  assert.deepEqual(Object.keys(rules).sort(), ['my-app-rule', 'svc-dev-listener-rule-2'])
  assert.deepEqual(JSON.parse(rules['my-app-rule'].rule.EventPattern), { source: ['my.app'] })
  assert.equal(rules['my-app-rule'].rule.EventBusName, 'custom-bus')
  assert.deepEqual(rules['my-app-rule'].targets, [
    { Id: 'my-app-rule-target', Arn: fnArn(scheduled), InputPath: '$.detail' },
  ])
  assert.deepEqual(rules['svc-dev-listener-rule-2'].targets, [
    { Id: 'svc-dev-listener-rule-2-target', Arn: fnArn(listener) },
  ])

  rules = await rulesOn('existing')
  ;({ rule, targets } = rules['svc-dev-listener-rule-1'])
  assert.equal(rule.State, 'DISABLED')
  assert.deepEqual(JSON.parse(rule.EventPattern), { 'source': ['other.app'], 'detail-type': ['Thing Happened'] })
  assert.deepEqual(targets, [
    {
      Id: 'svc-dev-listener-rule-1-target',
      Arn: fnArn(listener),
      InputTransformer: { InputPathsMap: { thing: '$.detail.thing' }, InputTemplate: '{"thing": <thing>}' },
    },
  ])

  const sids = async (fn) => (await policyStatements(fn)).map((s) => s.Sid).sort()
  assert.deepEqual(await sids(scheduled), [`${scheduled}-my-app-rule`, `${scheduled}-svc-dev-scheduled-rule-1`])
  assert.deepEqual(await sids(listener), [`${listener}-svc-dev-listener-rule-1`, `${listener}-svc-dev-listener-rule-2`])
  const statement = (await policyStatements(scheduled)).find((s) => s.Sid === `${scheduled}-my-app-rule`)
  assert.equal(statement.Principal.Service, 'events.amazonaws.com')
  assert.ok(JSON.stringify(statement).includes(`arn:aws:events:${region}:${account}:rule/custom-bus/my-app-rule`))
  const defaultStatement = (await policyStatements(scheduled)).find((s) => s.Sid.endsWith('rule-1'))
  assert.ok(JSON.stringify(defaultStatement).includes(`:rule/svc-dev-scheduled-rule-1"`))

  // Update in place: another pattern, another input kind, disabled. The target is replaced whole.
  const onNewBusChanged = ebProperties(scheduled, {
    ...onNewBus.EventBridgeConfig,
    State: 'DISABLED',
    Pattern: { source: ['my.app', 'my.other.app'] },
    InputPath: undefined,
    InputTransformer: { InputPathsMap: { id: '$.id' }, InputTemplate: '"<id>"' },
  })
  const updated = await ebInvoke('Update', onNewBusChanged, onNewBus)
  assertSuccess(updated)
  assert.equal(updated.PhysicalResourceId, 'CustomResourceEventBridge')
  rules = await rulesOn('custom-bus')
  assert.equal(rules['my-app-rule'].rule.State, 'DISABLED')
  assert.deepEqual(JSON.parse(rules['my-app-rule'].rule.EventPattern), { source: ['my.app', 'my.other.app'] })
  assert.deepEqual(rules['my-app-rule'].targets, [
    {
      Id: 'my-app-rule-target',
      Arn: fnArn(scheduled),
      InputTransformer: { InputPathsMap: { id: '$.id' }, InputTemplate: '"<id>"' },
    },
  ])

  // Update with another rule name (`name:` added): the old rule and its permission go.
  const renamed = ebProperties(scheduled, { ...onDefault.EventBridgeConfig, RuleName: 'Nightly.Job' })
  assertSuccess(await ebInvoke('Update', renamed, onDefault))
  rules = await rulesOn(undefined)
  assert.deepEqual(Object.keys(rules), ['Nightly.Job'])
  assert.equal(rules['Nightly.Job'].targets[0].Id, 'Nightly.Job-target')
  assert.deepEqual(await sids(scheduled), [`${scheduled}-my-app-rule`, `${scheduled}-nightlyjob`])

  // Update from the existing bus (given by ARN) to a new bus: the rule moves, the existing bus stays.
  const moved = ebProperties(listener, { ...onExistingBus.EventBridgeConfig, EventBus: 'other-bus' })
  assertSuccess(await ebInvoke('Update', moved, onExistingBus))
  assert.deepEqual(await rulesOn('existing'), {})
  assert.ok(await busExists('existing'))
  assert.deepEqual(Object.keys(await rulesOn('other-bus')), ['svc-dev-listener-rule-1'])
  const movedStatement = (await policyStatements(listener)).find((s) => s.Sid === `${listener}-svc-dev-listener-rule-1`)
  assert.ok(JSON.stringify(movedStatement).includes(':rule/other-bus/svc-dev-listener-rule-1'))

  // Delete everything, as a stack removal would (with AWS's refusal to delete a bus that has rules).
  const refused = await withAwsBusDeletionCheck(async () => {
    for (const properties of [renamed, onNewBusChanged]) assertSuccess(await ebInvoke('Delete', properties))
    // my-app-rule is gone; custom-bus stays for the other rule on it.
    assert.ok(await busExists('custom-bus'))
    assert.deepEqual(Object.keys(await rulesOn('custom-bus')), ['svc-dev-listener-rule-2'])
    for (const properties of [moved, secondOnNewBus]) assertSuccess(await ebInvoke('Delete', properties))
  })
  assert.ok(refused > 0, 'the bus deletion was refused while another rule used it')
  assert.deepEqual(await rulesOn(undefined), {})
  assert.equal(await busExists('custom-bus'), false)
  assert.equal(await busExists('other-bus'), false)
  assert.ok(await busExists('existing'), 'a bus given by ARN is never deleted')
  assert.deepEqual(await policyStatements(scheduled), [])
  assert.deepEqual(await policyStatements(listener), [])

  // Delete again (everything gone already, the function too): still SUCCESS.
  for (const properties of [renamed, onNewBusChanged, moved, secondOnNewBus]) {
    assertSuccess(await ebInvoke('Delete', properties))
  }
  assertSuccess(await ebInvoke('Delete', ebProperties('svc-dev-gone', { RuleName: 'gone', EventBus: 'gone-bus' })))
})

test('Custom::EventBridge uses Serverless v3 ids: it updates and deletes what Serverless v3 created', async () => {
  const fn = 'svc-dev-a-function-with-a-rather-long-name'
  await createFunction(fn)
  // Serverless v3 hashes rule names over 64 characters the same way: this one is short enough, its
  // target id (70 characters) is not.
  const RuleName = `${fn}-rule-1-abcdefghij`
  const longId = `${RuleName}-target`
  assert.ok(RuleName.length <= 64 && longId.length > 64)
  const expectedTargetId = `${longId.slice(0, 25)}${crypto.createHash('md5').update(longId).digest('hex')}-target`
  assert.equal(expectedTargetId.length, 64)
  assert.equal(eventBridgeHandler.targetId(RuleName), expectedTargetId)
  assert.equal(eventBridgeHandler.targetId('short'), 'short-target')
  assert.equal(eventBridgeHandler.statementId('fn', 'My.Rule:Name*'), 'fn-myrulename')
  assert.equal(eventBridgeHandler.statementId('f'.repeat(90), 'r'.repeat(30)).length, 100)

  // What Serverless v3's handler left: bus, rule, target and permission with its ids.
  await aws.events.send(new CreateEventBusCommand({ Name: 'v3-bus' }))
  await aws.events.send(
    new PutRuleCommand({ Name: RuleName, EventBusName: 'v3-bus', EventPattern: '{"source":["v3"]}', State: 'ENABLED' }),
  )
  await aws.events.send(
    new PutTargetsCommand({
      Rule: RuleName,
      EventBusName: 'v3-bus',
      Targets: [{ Id: expectedTargetId, Arn: fnArn(fn), InputPath: '$.detail' }],
    }),
  )
  await aws.lambda.send(
    new AddPermissionCommand({
      FunctionName: fn,
      StatementId: `${fn}-${RuleName.toLowerCase()}`.slice(0, 100),
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: `arn:aws:events:${region}:${account}:rule/v3-bus/${RuleName}`,
    }),
  )
  const v3 = ebProperties(fn, { RuleName, State: 'ENABLED', EventBus: 'v3-bus', Pattern: { source: ['v3'] }, InputPath: '$.detail' })

  // Update: the same target id is replaced, not added next to.
  const next = ebProperties(fn, { ...v3.EventBridgeConfig, InputPath: '$.detail.x' })
  assertSuccess(await ebInvoke('Update', next, v3))
  const { targets } = (await rulesOn('v3-bus'))[RuleName]
  assert.deepEqual(targets, [{ Id: expectedTargetId, Arn: fnArn(fn), InputPath: '$.detail.x' }])
  assert.equal((await policyStatements(fn)).length, 1)

  assertSuccess(await ebInvoke('Delete', next))
  assert.equal(await busExists('v3-bus'), false)
  assert.deepEqual(await policyStatements(fn), [])
})

test('Custom::EventBridge Create that AWS refuses answers FAILED naming the rule; the rollback Delete cleans up', async () => {
  const fn = 'svc-dev-scheduled'
  await createFunction(fn)
  // A schedule is only allowed on the default bus.
  const properties = ebProperties(fn, {
    RuleName: 'svc-dev-scheduled-rule-1',
    State: 'ENABLED',
    EventBus: 'custom-bus',
    Schedule: 'rate(1 hour)',
  })
  const response = await ebInvoke('Create', properties)
  assertFailed(
    response,
    /Cannot put EventBridge rule "svc-dev-scheduled-rule-1" on event bus "custom-bus"/,
    /ScheduleExpression is supported only on the default event bus/,
    /CloudWatch log stream/,
  )
  assert.doesNotMatch(response.Reason, /not-a-secret|testing/)
  assert.equal(response.PhysicalResourceId, 'CustomResourceEventBridge')
  assert.deepEqual(await rulesOn('custom-bus'), {})

  // CloudFormation deletes the failed resource on rollback.
  assertSuccess(await ebInvoke('Delete', properties))
  assert.equal(await busExists('custom-bus'), false)
  assert.deepEqual(await policyStatements(fn), [])

  // A configuration that cannot work fails before anything is changed.
  const unusable = await ebInvoke('Create', ebProperties(fn, { RuleName: 'no-trigger', State: 'ENABLED', EventBus: 'b2' }))
  assertFailed(unusable, /needs a Schedule or a Pattern/)
  assert.equal(await busExists('b2'), false)
  assert.deepEqual(await policyStatements(fn), [])
})

// ---- the response protocol -------------------------------------------------------------------------

test('an unknown RequestType answers FAILED', async () => {
  const response = await invoke(roleHandler, {
    RequestType: 'Replace',
    ResourceType: 'Custom::ApiGatewayAccountRole',
    physicalId: 'keep-me',
    properties: {},
  })
  assertFailed(response, /Unknown RequestType "Replace"/)
  assert.equal(response.PhysicalResourceId, 'keep-me')
})

test('an operation that does not finish answers FAILED before the Lambda timeout instead of never answering', async () => {
  const stuck = { handler: utils.customResource('Stuck', { create: () => new Promise(() => {}) }) }
  const started = Date.now()
  const response = await invoke(stuck, {
    RequestType: 'Create',
    ResourceType: 'Custom::Stuck',
    properties: {},
    ctx: context({ getRemainingTimeInMillis: () => 1500 }),
  })
  assert.ok(Date.now() - started < 1500, 'answered before the invocation would have timed out')
  assertFailed(response, /before the Lambda timeout/)
  assert.equal(response.PhysicalResourceId, 'Stuck')
})

test('a response CloudFormation refuses is retried, then the handler throws so that Lambda retries it', async () => {
  let calls = 0
  const flaky = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      calls++
      res.writeHead(calls === 1 ? 503 : 200)
      res.end()
    })
  })
  await new Promise((resolve) => flaky.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${flaky.address().port}/cfn`
  const ok = { handler: utils.customResource('Ok', { create: async () => {} }) }
  try {
    const event = { RequestType: 'Create', ResponseURL: url, StackId: 's', RequestId: 'r', LogicalResourceId: 'l' }
    assert.deepEqual(await ok.handler(event, context()), { Status: 'SUCCESS', PhysicalResourceId: 'Ok' })
    assert.equal(calls, 2)
  } finally {
    flaky.close()
  }
  // Nothing listens there any more: after its attempts the handler rejects.
  const event = { RequestType: 'Create', ResponseURL: url, StackId: 's', RequestId: 'r', LogicalResourceId: 'l' }
  await assert.rejects(ok.handler(event, context()), { code: 'ECONNREFUSED' })
})

test('the response is kept under CloudFormation\u2019s 4096-byte limit and never carries key material', () => {
  const body = utils.responseBody(
    { StackId: 's', RequestId: 'r', LogicalResourceId: 'l' },
    'FAILED',
    'p',
    `${'x'.repeat(10000)} AKIAABCDEFGHIJKLMNOP`,
  )
  assert.ok(Buffer.byteLength(body) <= 4096)
  const short = JSON.parse(
    utils.responseBody({ StackId: 's', RequestId: 'r', LogicalResourceId: 'l' }, 'FAILED', 'p', 'key AKIAABCDEFGHIJKLMNOP'),
  )
  assert.equal(short.Reason, 'key [redacted]')
})
