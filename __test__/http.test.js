'use strict'
// Deploying a service with http (REST API) events, and one httpApi event beside them, against the local
// emulator (__test__/fixtures/http; its compiled template is identical to osls 4.3.1's).
//
// moto creates the RestApi, every Resource and Method, the Deployment with its stage and the Lambda
// permissions. Of a Method it keeps only the HTTP method, AuthorizationType, ApiKeyRequired and the
// integration's Type, IntegrationHttpMethod and Uri: AuthorizerId, RequestParameters,
// RequestValidatorId, RequestModels, MethodResponses and the integration's templates, passthrough
// behaviour and IntegrationResponses (the CORS headers of OPTIONS) are dropped. It ignores
// AWS::ApiGateway::Authorizer, ::RequestValidator, ::Model, ::ApiKey, ::UsagePlan and ::UsagePlanKey
// (listed without a logical ID; GetAuthorizers, GetApiKeys, ... answer empty lists) and the
// AWS::ApiGatewayV2 resources, so their compiled form is checked in the template that was deployed.
// moto as released cannot create the OPTIONS methods of `cors` (a MOCK integration, without
// IntegrationHttpMethod or Uri) at all: scripts/moto_server.py fixes that.

const { test, before } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { DescribeStackResourcesCommand, GetTemplateCommand } = require('@aws-sdk/client-cloudformation')
const { GetFunctionCommand, GetPolicyCommand } = require('@aws-sdk/client-lambda')
const {
  APIGatewayClient,
  GetApiKeysCommand,
  GetAuthorizersCommand,
  GetDeploymentsCommand,
  GetMethodCommand,
  GetModelsCommand,
  GetRequestValidatorsCommand,
  GetResourcesCommand,
  GetRestApisCommand,
  GetStageCommand,
  GetStagesCommand,
  GetUsagePlansCommand,
} = require('@aws-sdk/client-api-gateway')

const { deploy } = require('..')
const { clients, copyService, resetEmulator } = require('./helpers')

const aws = clients()
const apigw = new APIGatewayClient({ endpoint: process.env.AWS_ENDPOINT_URL, region: 'us-east-1' })
const target = { stage: 'dev', region: 'us-east-1' }
let dir
let first
let restApiId

before(async () => {
  await resetEmulator()
  dir = copyService(path.join(__dirname, 'fixtures', 'http'))
})

/** Every resource of the REST API by path, with its methods as GetMethod answers them. */
async function methodsByPath(id) {
  const { items } = await apigw.send(new GetResourcesCommand({ restApiId: id, limit: 500, embed: ['methods'] }))
  const out = {}
  for (const r of items) {
    out[r.path] = {}
    for (const m of Object.keys(r.resourceMethods || {})) {
      out[r.path][m] = await apigw.send(new GetMethodCommand({ restApiId: id, resourceId: r.id, httpMethod: m }))
    }
  }
  return out
}

async function invocationUri(fn) {
  const { Configuration } = await aws.lambda.send(new GetFunctionCommand({ FunctionName: `http-dev-${fn}` }))
  return `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${Configuration.FunctionArn}/invocations`
}

async function deployedTemplate() {
  const { TemplateBody } = await aws.cfn.send(new GetTemplateCommand({ StackName: 'http-dev' }))
  return JSON.parse(TemplateBody).Resources
}

async function apiGatewayPermissions(fn) {
  const policy = JSON.parse((await aws.lambda.send(new GetPolicyCommand({ FunctionName: `http-dev-${fn}` }))).Policy)
  return policy.Statement.filter((s) => s.Principal.Service === 'apigateway.amazonaws.com').map((s) => [s.Action, s.Condition.ArnLike['AWS:SourceArn']])
}

test('a service with http events deploys a REST API with its resources, methods, integrations and stage', async () => {
  first = await deploy({ servicePath: dir, ...target })
  assert.equal(first.stackStatus, 'UPDATE_COMPLETE')

  // One REST API, named <stage>-<service>, whose id the ServiceEndpoint output carries.
  const { items: apis } = await apigw.send(new GetRestApisCommand({}))
  assert.deepEqual(apis.map((a) => a.name), ['dev-http'])
  restApiId = apis[0].id
  assert.equal(first.outputs.ServiceEndpoint, `https://${restApiId}.execute-api.us-east-1.amazonaws.com/dev`)

  const { StackResources } = await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: 'http-dev' }))
  const byType = {}
  for (const res of StackResources) if (res.LogicalResourceId) (byType[res.ResourceType] ||= []).push(res.LogicalResourceId)
  assert.deepEqual(byType['AWS::ApiGateway::RestApi'], ['ApiGatewayRestApi'])
  assert.equal(StackResources.find((r) => r.LogicalResourceId === 'ApiGatewayRestApi').PhysicalResourceId, restApiId)
  assert.deepEqual(byType['AWS::ApiGateway::Method'].sort(), [
    'ApiGatewayMethodAdminReportsGet',
    'ApiGatewayMethodItemsIdVarTagsPost',
    'ApiGatewayMethodItemsSearchGet',
    'ApiGatewayMethodStatsGet',
    'ApiGatewayMethodUsersGet',
    'ApiGatewayMethodUsersIdVarFilesFileidVarAny',
    'ApiGatewayMethodUsersIdVarGet',
    'ApiGatewayMethodUsersOptions',
    'ApiGatewayMethodUsersPost',
  ])
  assert.equal(byType['AWS::ApiGateway::Deployment'].length, 1)
  assert.match(byType['AWS::ApiGateway::Deployment'][0], /^ApiGatewayDeployment\d+$/)
  assert.deepEqual(byType['AWS::Lambda::Permission'].sort(), [
    'AuthLambdaPermissionApiGateway',
    'HealthLambdaPermissionHttpApi',
    'ItemsLambdaPermissionApiGateway',
    'LegacyLambdaPermissionApiGateway',
    'UsersLambdaPermissionApiGateway',
  ])
  for (const t of ['Authorizer', 'RequestValidator', 'Model', 'ApiKey', 'UsagePlan', 'UsagePlanKey']) {
    assert.equal(byType[`AWS::ApiGateway::${t}`], undefined, `moto now models AWS::ApiGateway::${t}: check it through the API`)
  }

  // Every path, nested and with path parameters; each method with its authorization, API key and the
  // function its integration invokes. OPTIONS only where `cors` is set.
  const methods = await methodsByPath(restApiId)
  assert.deepEqual(Object.keys(methods).sort(), [
    '/',
    '/admin',
    '/admin/reports',
    '/items',
    '/items/search',
    '/items/{id}',
    '/items/{id}/tags',
    '/stats',
    '/users',
    '/users/{id}',
    '/users/{id}/files',
    '/users/{id}/files/{fileId}',
  ])
  const uri = { users: await invocationUri('users'), items: await invocationUri('items'), legacy: await invocationUri('legacy') }
  const seen = []
  for (const [p, ms] of Object.entries(methods)) {
    for (const [m, got] of Object.entries(ms)) {
      const i = got.methodIntegration
      seen.push([p, m, got.authorizationType, got.apiKeyRequired, i.type, i.httpMethod, Object.keys(uri).find((f) => uri[f] === i.uri)])
    }
  }
  assert.deepEqual(seen.sort(), [
    ['/admin/reports', 'GET', 'AWS_IAM', false, 'AWS_PROXY', 'POST', 'items'],
    ['/items/search', 'GET', 'NONE', false, 'AWS_PROXY', 'POST', 'items'],
    ['/items/{id}/tags', 'POST', 'NONE', false, 'AWS', 'POST', 'legacy'],
    ['/stats', 'GET', 'NONE', true, 'AWS_PROXY', 'POST', 'items'],
    ['/users', 'GET', 'NONE', false, 'AWS_PROXY', 'POST', 'users'],
    ['/users', 'OPTIONS', 'NONE', false, 'MOCK', undefined, undefined],
    ['/users', 'POST', 'NONE', false, 'AWS_PROXY', 'POST', 'users'],
    ['/users/{id}', 'GET', 'CUSTOM', false, 'AWS_PROXY', 'POST', 'users'],
    ['/users/{id}/files/{fileId}', 'ANY', 'NONE', false, 'AWS_PROXY', 'POST', 'users'],
  ])

  // The deployment and its `dev` stage.
  const { items: deployments } = await apigw.send(new GetDeploymentsCommand({ restApiId }))
  assert.equal(deployments.length, 1)
  const { item: stages } = await apigw.send(new GetStagesCommand({ restApiId }))
  assert.deepEqual(stages.map((s) => [s.stageName, s.deploymentId]), [['dev', deployments[0].id]])

  // API Gateway may invoke each function behind the REST API (the authorizer too), from any stage and method.
  for (const fn of ['users', 'items', 'legacy', 'auth']) {
    assert.deepEqual(await apiGatewayPermissions(fn), [['lambda:InvokeFunction', `arn:aws:execute-api:us-east-1:123456789012:${restApiId}/*/*`]], fn)
  }

  // What moto answers empty, as the API shows it ...
  assert.deepEqual((await apigw.send(new GetAuthorizersCommand({ restApiId }))).items, [])
  assert.deepEqual((await apigw.send(new GetRequestValidatorsCommand({ restApiId }))).items, [])
  assert.deepEqual((await apigw.send(new GetModelsCommand({ restApiId }))).items, [])
  assert.deepEqual((await apigw.send(new GetApiKeysCommand({}))).items, [])
  assert.deepEqual((await apigw.send(new GetUsagePlansCommand({}))).items, [])

  // ... and as deployed: the TOKEN authorizer on the `auth` function, used by GET /users/{id}.
  const resources = await deployedTemplate()
  const functionUri = (logicalId) => ({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:', { Ref: 'AWS::Region' }, ':lambda:path/2015-03-31/functions/', { 'Fn::GetAtt': [logicalId, 'Arn'] }, '/invocations']],
  })
  assert.deepEqual(resources.AuthApiGatewayAuthorizer, {
    Type: 'AWS::ApiGateway::Authorizer',
    Properties: {
      AuthorizerResultTtlInSeconds: 30,
      IdentitySource: 'method.request.header.Authorization',
      Name: 'auth',
      RestApiId: { Ref: 'ApiGatewayRestApi' },
      AuthorizerUri: functionUri('AuthLambdaFunction'),
      Type: 'TOKEN',
    },
  })
  assert.deepEqual(resources.ApiGatewayMethodUsersIdVarGet.Properties.AuthorizerId, { Ref: 'AuthApiGatewayAuthorizer' })

  // The two API keys of the `dev` stage, in the usage plan with its quota and throttle.
  assert.deepEqual(
    ['ApiGatewayApiKey1', 'ApiGatewayApiKey2'].map((k) => [resources[k].Type, resources[k].Properties.Name, resources[k].Properties.Enabled, resources[k].Properties.StageKeys]),
    ['firstKey', 'secondKey'].map((name) => ['AWS::ApiGateway::ApiKey', name, true, [{ RestApiId: { Ref: 'ApiGatewayRestApi' }, StageName: 'dev' }]]),
  )
  assert.equal(resources.ApiGatewayApiKey2.Properties.Description, 'The second key')
  const plan = resources.ApiGatewayUsagePlan.Properties
  assert.equal(plan.UsagePlanName, 'http-dev')
  assert.deepEqual(plan.ApiStages, [{ ApiId: { Ref: 'ApiGatewayRestApi' }, Stage: 'dev' }])
  assert.deepEqual(plan.Quota, { Limit: 1000, Period: 'MONTH' })
  assert.deepEqual(plan.Throttle, { BurstLimit: 20, RateLimit: 10 })
  assert.deepEqual(
    ['ApiGatewayUsagePlanKey1', 'ApiGatewayUsagePlanKey2'].map((k) => resources[k].Properties),
    ['ApiGatewayApiKey1', 'ApiGatewayApiKey2'].map((key) => ({ KeyId: { Ref: key }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'ApiGatewayUsagePlan' } })),
  )

  // The request validator and the inline schema's model; the required querystring.
  assert.deepEqual(resources.ApiGatewayHttpRequestValidator.Properties, {
    RestApiId: { Ref: 'ApiGatewayRestApi' },
    ValidateRequestBody: true,
    ValidateRequestParameters: true,
    Name: 'http-dev | Validate request body and querystring parameters',
  })
  assert.deepEqual(resources.ApiGatewayMethodUsersPostApplicationJsonModel.Properties, {
    RestApiId: { Ref: 'ApiGatewayRestApi' },
    ContentType: 'application/json',
    Schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
  })
  const post = resources.ApiGatewayMethodUsersPost.Properties
  assert.deepEqual(post.RequestModels, { 'application/json': { Ref: 'ApiGatewayMethodUsersPostApplicationJsonModel' } })
  assert.deepEqual(post.RequestValidatorId, { Ref: 'ApiGatewayHttpRequestValidator' })
  const search = resources.ApiGatewayMethodItemsSearchGet.Properties
  assert.deepEqual(search.RequestParameters, { 'method.request.querystring.q': true, 'method.request.querystring.page': false })
  assert.deepEqual(search.RequestValidatorId, { Ref: 'ApiGatewayHttpRequestValidator' })

  // The preflight of /users answers for both methods, with the cors object's origin, headers,
  // credentials and max age (osls merges `cors: true` of GET with the object of POST so).
  const preflight = resources.ApiGatewayMethodUsersOptions.Properties.Integration.IntegrationResponses[0].ResponseParameters
  assert.deepEqual(preflight, {
    'method.response.header.Access-Control-Allow-Origin': "'https://app.example.com'",
    'method.response.header.Access-Control-Allow-Headers': "'Content-Type,X-Request-Id,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent,X-Amzn-Trace-Id'",
    'method.response.header.Access-Control-Allow-Methods': "'OPTIONS,POST,GET'",
    'method.response.header.Access-Control-Allow-Credentials': "'true'",
    'method.response.header.Access-Control-Max-Age': "'600'",
  })
  // The lambda (non-proxy) integration maps the request with osls's templates and answers with its status codes.
  const tags = resources.ApiGatewayMethodItemsIdVarTagsPost.Properties
  assert.equal(tags.Integration.PassthroughBehavior, 'NEVER')
  assert.deepEqual(Object.keys(tags.Integration.RequestTemplates).sort(), ['application/json', 'application/x-www-form-urlencoded'])
  assert.deepEqual(tags.MethodResponses.map((r) => r.StatusCode), ['200', '400', '401', '403', '404', '422', '500', '502', '504'])

  // The HTTP API stands beside the REST API (moto accepts its resources without creating them).
  assert.equal(resources.HttpApiRouteGetHealth.Properties.RouteKey, 'GET /health')
  assert.deepEqual(resources.HttpApiIntegrationHealth.Properties.IntegrationUri, { 'Fn::GetAtt': ['HealthLambdaFunction', 'Arn'] })
})

test('each http endpoint is listed with its method, like `serverless deploy` and `serverless info`', () => {
  const base = first.outputs.ServiceEndpoint
  assert.deepEqual(first.endpoints, [
    `GET - ${base}/users`,
    `POST - ${base}/users`,
    `GET - ${base}/users/{id}`,
    `ANY - ${base}/users/{id}/files/{fileId}`,
    `GET - ${base}/items/search`,
    `GET - ${base}/admin/reports`,
    `GET - ${base}/stats`,
    `POST - ${base}/items/{id}/tags`,
    `GET - ${first.outputs.HttpApiUrl}/health`,
  ])
})

test('deploying again changes nothing', async () => {
  const again = await deploy({ servicePath: dir, ...target })
  assert.equal(again.skipped, true)
  assert.equal(again.deploymentDir, first.deploymentDir)
  assert.deepEqual((await apigw.send(new GetRestApisCommand({}))).items.map((a) => a.id), [restApiId])
  assert.equal((await apigw.send(new GetDeploymentsCommand({ restApiId }))).items.length, 1)
})

test('a new http path is added to the same REST API, with a new deployment of the stage', async () => {
  const before = (await apigw.send(new GetStagesCommand({ restApiId }))).item[0].deploymentId
  fs.appendFileSync(path.join(dir, 'serverless.yml'), '      - http: GET /orders/{orderId}/lines\n')
  const r = await deploy({ servicePath: dir, ...target })
  assert.equal(r.skipped, false)
  assert.equal(r.stackStatus, 'UPDATE_COMPLETE')
  assert.equal(r.outputs.ServiceEndpoint, first.outputs.ServiceEndpoint)
  assert.deepEqual((await apigw.send(new GetRestApisCommand({}))).items.map((a) => a.id), [restApiId])

  const methods = await methodsByPath(restApiId)
  for (const p of ['/orders', '/orders/{orderId}']) assert.deepEqual(methods[p], {}, p)
  assert.deepEqual(Object.keys(methods['/orders/{orderId}/lines']), ['GET'])
  const lines = methods['/orders/{orderId}/lines'].GET
  assert.equal(lines.authorizationType, 'NONE')
  assert.equal(lines.methodIntegration.type, 'AWS_PROXY')
  assert.equal(lines.methodIntegration.uri, await invocationUri('health'))
  assert.equal(Object.keys(methods).length, 15)
  assert.deepEqual(Object.keys(methods['/users']).sort(), ['GET', 'OPTIONS', 'POST'])

  // The stage moves to a new deployment. (moto keeps the replaced one: it cannot delete an
  // AWS::ApiGateway::Deployment, where CloudFormation would.)
  const { item: stages } = await apigw.send(new GetStagesCommand({ restApiId }))
  assert.equal(stages.length, 1)
  assert.notEqual(stages[0].deploymentId, before)
  const { items: deployments } = await apigw.send(new GetDeploymentsCommand({ restApiId }))
  assert.ok(deployments.some((d) => d.id === stages[0].deploymentId))
  const ids = Object.keys(await deployedTemplate()).filter((id) => id.startsWith('ApiGatewayDeployment'))
  assert.equal(ids.length, 1)

  // The health function, until now behind the HTTP API only (whose id moto reads "None"), may be
  // invoked by the REST API too.
  assert.deepEqual((await apiGatewayPermissions('health')).sort(), [
    ['lambda:InvokeFunction', 'arn:aws:execute-api:us-east-1:123456789012:None/*'],
    ['lambda:InvokeFunction', `arn:aws:execute-api:us-east-1:123456789012:${restApiId}/*/*`],
  ].sort())
})

test('stage settings (tracing, metrics, logs, tags) are applied through the API Gateway API after the stack update, as Serverless does', async () => {
  const svc = copyService(path.join(__dirname, 'fixtures', 'http'))
  const yml = path.join(svc, 'serverless.yml')
  // A second service on the same emulator: its own name, and the account's CloudWatch role managed
  // elsewhere (the custom resource that sets it needs Lambda to run, which moto cannot do here).
  fs.writeFileSync(
    yml,
    fs
      .readFileSync(yml, 'utf8')
      .replace(/^service: .*$/m, 'service: http-stage')
      .replace(/^provider:\n/m, 'provider:\n  tracing:\n    apiGateway: true\n  logs:\n    restApi:\n      roleManagedExternally: true\n      level: ERROR\n  tags:\n    team: api\n'),
  )
  const r = await deploy({ servicePath: svc, ...target })
  const id = new URL(r.outputs.ServiceEndpoint).hostname.split('.')[0]
  const stage = await apigw.send(new GetStageCommand({ restApiId: id, stageName: 'dev' }))
  assert.equal(stage.tracingEnabled, true)
  assert.equal(stage.methodSettings['*/*'].loggingLevel, 'ERROR')
  assert.equal(stage.methodSettings['*/*'].dataTraceEnabled, true)
  assert.equal(stage.accessLogSettings.destinationArn, 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/api-gateway/http-stage-dev')
  assert.match(stage.accessLogSettings.format, /^requestId: \$context.requestId, /)
  assert.equal(stage.tags.team, 'api')
  const template = JSON.parse(fs.readFileSync(path.join(svc, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8'))
  assert.equal(template.Resources.ApiGatewayLogGroup.Properties.LogGroupName, '/aws/api-gateway/http-stage-dev')
  assert.equal(template.Resources.CustomApiGatewayAccountCloudWatchRole, undefined)
})
