'use strict'
// Custom::ApiGatewayAccountRole — makes sure the account-wide API Gateway setting "CloudWatch log role
// ARN" is set, which REST API and websocket access/execution logs need.
//
// Properties:
//   RoleArn  optional (provider.logs.restApi.role): the role to set. Without it, the role
//            `serverlessApiGatewayCloudWatchRole` (path /) is created when missing, given the managed
//            policy AmazonAPIGatewayPushToCloudWatchLogs when it lacks it, and used.
//
// Create and Update set the account's role when it differs (retrying for a while, as a new role takes
// time to become usable). Delete leaves the account setting and the role alone: they are shared by
// every API in the account and region.

const { APIGatewayClient, GetAccountCommand, UpdateAccountCommand } = require('@aws-sdk/client-api-gateway')
const {
  IAMClient,
  ListAttachedRolePoliciesCommand,
  CreateRoleCommand,
  AttachRolePolicyCommand,
} = require('@aws-sdk/client-iam')
const utils = require('../utils')

const DEFAULT_ROLE_NAME = 'serverlessApiGatewayCloudWatchRole'
const UPDATE_ACCOUNT_ATTEMPTS = 10
const UPDATE_ACCOUNT_DELAY_MS = 10000

async function attachedPolicies(iam, RoleName) {
  const arns = []
  let Marker
  do {
    const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName, Marker }))
    for (const policy of page.AttachedPolicies || []) arns.push(policy.PolicyArn)
    Marker = page.IsTruncated ? page.Marker : undefined
  } while (Marker)
  return arns
}

async function ensureDefaultRole(iam, env) {
  const RoleName = DEFAULT_ROLE_NAME
  const PolicyArn = `arn:${env.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`
  let attached
  try {
    attached = await attachedPolicies(iam, RoleName)
  } catch (error) {
    if (!utils.hasCode(error, 'NoSuchEntity', 'NoSuchEntityException')) {
      throw utils.annotate(error, `Cannot inspect IAM role "${RoleName}"`)
    }
    utils.log(`Creating IAM role "${RoleName}"`)
    await iam
      .send(
        new CreateRoleCommand({
          RoleName,
          Path: '/',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { Service: ['apigateway.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
            ],
          }),
        }),
      )
      .catch(utils.ignoring('EntityAlreadyExists', 'EntityAlreadyExistsException'))
      .catch((e) => {
        throw utils.annotate(e, `Cannot create IAM role "${RoleName}"`)
      })
    attached = []
  }
  if (!attached.includes(PolicyArn)) {
    await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn })).catch((e) => {
      throw utils.annotate(e, `Cannot attach ${PolicyArn} to IAM role "${RoleName}"`)
    })
  }
  return `arn:${env.partition}:iam::${env.accountId}:role/${RoleName}`
}

async function ensureAccountRole(event, context) {
  const env = utils.awsEnvironment(context)
  const options = utils.clientOptions(env)
  const apiGateway = new APIGatewayClient(options)
  const iam = new IAMClient(options)
  const configured = (event.ResourceProperties || {}).RoleArn

  const account = await apiGateway.send(new GetAccountCommand({})).catch((e) => {
    throw utils.annotate(e, 'Cannot read the API Gateway account settings')
  })
  const roleArn = typeof configured === 'string' && configured !== '' ? configured : await ensureDefaultRole(iam, env)
  if (account.cloudwatchRoleArn === roleArn) {
    utils.log(`The API Gateway account already uses ${roleArn}`)
    return
  }

  for (let attempt = 1; ; attempt++) {
    try {
      await apiGateway.send(
        new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: roleArn }] }),
      )
      utils.log(`The API Gateway account now uses ${roleArn}`)
      return
    } catch (error) {
      // A role created moments ago is often refused (even with errors marked non-retryable) until IAM
      // has propagated it.
      if (attempt >= UPDATE_ACCOUNT_ATTEMPTS) {
        throw utils.annotate(error, `Cannot set ${roleArn} as the API Gateway account's CloudWatch role`)
      }
      utils.log(`UpdateAccount failed (attempt ${attempt}), retrying: ${error.message}`)
      await utils.sleep(UPDATE_ACCOUNT_DELAY_MS)
    }
  }
}

async function remove() {
  // The account setting and the role are shared; nothing to undo.
}

module.exports = {
  handler: utils.customResource('CustomResourceApiGatewayAccountCloudWatchRole', {
    create: ensureAccountRole,
    update: ensureAccountRole,
    delete: remove,
  }),
}
