'use strict'
// Deploying a service with http, httpApi, schedule, sqs, sns, eventBridge, s3 and stream events against the
// local emulator (__test__/fixtures/events). moto creates the EventBridge rules and bus with their
// invoke permissions, the S3 bucket, the SNS topics, and the event source mappings for the queue, the
// DynamoDB stream and the Kinesis stream; it ignores AWS::Scheduler::Schedule, AWS::SNS::Subscription and the AWS::ApiGatewayV2 resources of
// the httpApi event (listed without a logical ID), so their compiled form is checked in the template
// that was deployed.

const { test, before } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { DescribeStackResourcesCommand, GetTemplateCommand } = require('@aws-sdk/client-cloudformation')
const { GetPolicyCommand, ListEventSourceMappingsCommand } = require('@aws-sdk/client-lambda')

const { deploy, packageService } = require('..')
const { clients, copyService, resetEmulator } = require('./helpers')

const aws = clients()
before(resetEmulator)

test('a service with http, httpApi, schedule, sqs, sns, eventBridge, s3 and stream events deploys, and the sources reach the functions', async () => {
  const dir = copyService(path.join(__dirname, 'fixtures', 'events'))
  const r = await deploy({ servicePath: dir })
  assert.equal(r.stackStatus, 'UPDATE_COMPLETE')

  const { StackResources } = await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: 'events-dev' }))
  const byType = {}
  for (const res of StackResources) if (res.LogicalResourceId) (byType[res.ResourceType] ||= []).push(res.LogicalResourceId)
  assert.deepEqual(byType['AWS::Events::Rule'].sort(), [
    'Eventsdevconsumerrule4EventBridgeRule',
    'Eventsdevconsumerrule5EventBridgeRule',
    'TickerEventsRuleSchedule1',
    'TickerEventsRuleSchedule2',
  ])
  assert.deepEqual(byType['AWS::Events::EventBus'], ['OrdersEventBridgeEventBus'])
  assert.deepEqual(byType['AWS::S3::Bucket'].sort(), ['S3BucketEventsuploadsbucket', 'ServerlessDeploymentBucket'])
  assert.deepEqual(byType['AWS::SNS::Topic'].sort(), ['SNSTopicAlerts', 'SNSTopicNews'])
  assert.deepEqual(byType['AWS::Lambda::Permission'].sort(), [
    'ConsumerEventBridgeLambdaPermission4',
    'ConsumerEventBridgeLambdaPermission5',
    'ConsumerLambdaPermissionAlertsSNS',
    'ConsumerLambdaPermissionEventsuploadsbucketS3',
    'ConsumerLambdaPermissionNewsSNS',
    'TickerLambdaPermissionApiGateway',
    'TickerLambdaPermissionEventsRuleSchedule1',
    'TickerLambdaPermissionEventsRuleSchedule2',
    'TickerLambdaPermissionHttpApi',
  ])
  assert.deepEqual(byType['AWS::Lambda::EventSourceMapping'].sort(), [
    'ConsumerEventSourceMappingSQSJobsQueue',
    'StreamsEventSourceMappingDynamodbItemsTable',
    'StreamsEventSourceMappingKinesisClicksStream',
  ])

  // Each rule may invoke the ticker (and so may the HTTP API).
  const policy = JSON.parse((await aws.lambda.send(new GetPolicyCommand({ FunctionName: 'events-dev-ticker' }))).Policy)
  const sources = policy.Statement.filter((s) => s.Principal.Service === 'events.amazonaws.com').map((s) => s.Condition.ArnLike['AWS:SourceArn'])
  assert.equal(sources.length, 2)
  for (const s of sources) assert.match(s, /^arn:aws:events:us-east-1:\d+:rule\/events-dev-TickerEventsRuleSchedule[12]-/)

  // The mappings point at the queue and streams the stack made, with the configured batch sizes.
  const { EventSourceMappings } = await aws.lambda.send(new ListEventSourceMappingsCommand({}))
  const mappings = EventSourceMappings.map((m) => [m.FunctionArn.split(':').pop(), m.EventSourceArn.split(':')[2], m.BatchSize, m.State]).sort()
  assert.deepEqual(mappings, [
    ['events-dev-consumer', 'sqs', 5, 'Enabled'],
    ['events-dev-streams', 'dynamodb', 10, 'Enabled'],
    ['events-dev-streams', 'kinesis', 100, 'Enabled'],
  ])

  // What moto does not model, as deployed: the Scheduler schedule (its role may be assumed by the
  // scheduler and invoke the function) and the filtered subscription.
  const { TemplateBody } = await aws.cfn.send(new GetTemplateCommand({ StackName: 'events-dev' }))
  const resources = JSON.parse(TemplateBody).Resources
  const schedule = resources.TickerSchedulerSchedule3
  assert.equal(schedule.Type, 'AWS::Scheduler::Schedule')
  assert.equal(schedule.Properties.ScheduleExpressionTimezone, 'Europe/Paris')
  assert.deepEqual(schedule.Properties.Target.RoleArn, { 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] })
  const role = resources.IamRoleLambdaExecution.Properties
  assert.deepEqual(role.AssumeRolePolicyDocument.Statement[0].Principal.Service, ['lambda.amazonaws.com', 'scheduler.amazonaws.com'])
  const actions = role.Policies[0].PolicyDocument.Statement.map((s) => [s.Action].flat()[0])
  for (const a of ['lambda:InvokeFunction', 'dynamodb:GetRecords', 'kinesis:GetRecords', 'sqs:ReceiveMessage']) {
    assert.ok(actions.includes(a), `the execution role allows ${a}: ${actions.join(', ')}`)
  }
  assert.deepEqual(resources.ConsumerSnsSubscriptionAlerts.Properties.FilterPolicy, { level: ['high'] })
  assert.deepEqual(resources.ConsumerSnsSubscriptionAlerts.Properties.TopicArn, { Ref: 'SNSTopicAlerts' })

  // The HTTP API (moto accepts its resources without creating them, so its id reads "None") is
  // listed route by route, like `serverless info`.
  assert.deepEqual([...r.endpoints].sort(), [`GET - ${r.outputs.ServiceEndpoint}/ticks`, `GET - ${r.outputs.HttpApiUrl}/ticks`].sort())
  // The REST API (http event): moto creates the API, its resource, method and stage.
  assert.match(r.outputs.ServiceEndpoint, /^https:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com\/dev$/)
  assert.deepEqual(byType['AWS::ApiGateway::Method'], ['ApiGatewayMethodTicksGet'])
  assert.deepEqual(byType['AWS::ApiGateway::Resource'], ['ApiGatewayResourceTicks'])
  assert.equal(resources.HttpApiRouteGetTicks.Properties.RouteKey, 'GET /ticks')
  assert.deepEqual(resources.HttpApiIntegrationTicker.Properties.IntegrationUri, { 'Fn::GetAtt': ['TickerLambdaFunction', 'Arn'] })

  // Deploying again changes nothing.
  const again = await deploy({ servicePath: dir })
  assert.equal(again.skipped, true)
})

test('an event type slsx does not know is refused as osls refuses it, and named in a warning in warn mode', async () => {
  const dir = copyService('hello')
  const yml = path.join(dir, 'serverless.yml')
  fs.appendFileSync(yml, '    events:\n      - http: GET /hello\n      - websocket: $connect\n      - pluginQueue: jobs\n      - schedule: rate(1 hour)\n')
  await assert.rejects(packageService({ servicePath: dir }), (err) => {
    assert.equal(err.code, 'INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION')
    assert.match(err.message, /at 'functions\.hello\.events\.2': unsupported function event/)
    return true
  })
  fs.appendFileSync(yml, 'configValidationMode: warn\n')
  const r = await packageService({ servicePath: dir })
  assert.ok(r.warnings.includes('"pluginQueue" events are not supported by slsx yet and are not deployed (functions: hello)'), r.warnings.join('\n'))
  assert.ok(!r.warnings.some((w) => w.includes('"http"') || w.includes('"websocket"')), r.warnings.join('\n'))
  const template = JSON.parse(fs.readFileSync(path.join(r.packageDir, 'cloudformation-template-update-stack.json'), 'utf8'))
  assert.equal(template.Resources.HelloEventsRuleSchedule1.Type, 'AWS::Events::Rule')
  assert.equal(template.Resources.ApiGatewayMethodHelloGet.Type, 'AWS::ApiGateway::Method')
  assert.equal(template.Resources.SconnectWebsocketsRoute.Type, 'AWS::ApiGatewayV2::Route')
})
