'use strict'
// Custom::CognitoUserPool — sets a function as trigger(s) of a Cognito user pool the stack does not own
// (`cognitoUserPool: { existing: true }`).
//
// Properties (as compiled for each function with such events):
//   FunctionName       the deployed function's name
//   FunctionQualifier  optional alias name
//   UserPoolName       the existing pool's name (looked up with ListUserPools; the first match is used)
//   UserPoolConfigs    [{ Trigger: 'PreSignUp' }, { Trigger: 'CustomEmailSender', LambdaVersion: 'V1_0',
//                        KMSKeyID: 'arn:aws:kms:...' }, { Trigger: 'PreTokenGeneration', LambdaVersion: 'V2_0' }]
//   ForceDeploy        optional timestamp, only there to force an Update
//
// The function's triggers are the LambdaConfig entries whose ARN is the function's ARN; every other
// trigger and every other setting of the pool is kept (UpdateUserPool resets what it is not given, so
// the whole current configuration is sent back). The Lambda permission for cognito-idp.amazonaws.com
// is managed here too, with the statement id `<FunctionName>-<pool name lower-cased, without . : *
// and spaces>` (at most 100 characters).

const {
  CognitoIdentityProviderClient,
  ListUserPoolsCommand,
  DescribeUserPoolCommand,
  UpdateUserPoolCommand,
} = require('@aws-sdk/client-cognito-identity-provider')
const { LambdaClient } = require('@aws-sdk/client-lambda')
const utils = require('../utils')

const CUSTOM_SENDERS = ['CustomSMSSender', 'CustomEmailSender']

// DescribeUserPool fields that UpdateUserPool does not take.
const DESCRIBE_ONLY = [
  'Id',
  'Name',
  'Arn',
  'Status',
  'CreationDate',
  'LastModifiedDate',
  'SchemaAttributes',
  'AliasAttributes',
  'UsernameAttributes',
  'UsernameConfiguration',
  'EstimatedNumberOfUsers',
  'SmsConfigurationFailure',
  'EmailConfigurationFailure',
  'Domain',
  'CustomDomain',
]

function targetOf(properties, env) {
  const functionName = utils.requireString(properties, 'FunctionName')
  const userPoolName = utils.requireString(properties, 'UserPoolName')
  const qualifier = properties.FunctionQualifier || undefined
  const configs = properties.UserPoolConfigs || []
  if (!Array.isArray(configs)) throw new Error('Property "UserPoolConfigs" must be a list')
  return {
    functionName,
    qualifier,
    userPoolName,
    configs,
    lambdaArn: utils.functionArn(env, functionName, qualifier),
  }
}

function statementId(target) {
  const pool = target.userPoolName
    .toLowerCase()
    .replace(/[.:*\s]/g, '')
    .replace(/[^a-z0-9_-]/g, '')
  return `${target.functionName}-${pool}`.slice(0, 100)
}

const userPoolArn = (env, userPoolId) =>
  `arn:${env.partition}:cognito-idp:${env.region}:${env.accountId}:userpool/${userPoolId}`

async function findUserPool(cognito, userPoolName) {
  let NextToken
  do {
    const page = await cognito.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken }))
    const match = (page.UserPools || []).find((pool) => pool.Name === userPoolName)
    if (match) return match
    NextToken = page.NextToken
  } while (NextToken)
  return null
}

async function requireUserPool(cognito, userPoolName) {
  const pool = await findUserPool(cognito, userPoolName)
  if (!pool) throw new Error(`Could not find Cognito User Pool "${userPoolName}"`)
  return pool
}

/** LambdaConfig without the triggers that point at any of `arns`. */
function withoutTriggers(lambdaConfig, arns) {
  const result = {}
  for (const [key, value] of Object.entries(lambdaConfig || {})) {
    const arn = value && typeof value === 'object' ? value.LambdaArn : value
    if (key !== 'KMSKeyID' && arns.includes(arn)) continue
    result[key] = value
  }
  if ('KMSKeyID' in result && !CUSTOM_SENDERS.some((sender) => sender in result)) delete result.KMSKeyID
  return result
}

/** LambdaConfig with the target's triggers set. */
function withTriggers(lambdaConfig, target) {
  const result = { ...lambdaConfig }
  for (const config of target.configs) {
    const trigger = config.Trigger
    if (typeof trigger !== 'string' || trigger === '') {
      throw new Error(`Every UserPoolConfigs entry needs a Trigger, got ${JSON.stringify(config)}`)
    }
    if (CUSTOM_SENDERS.includes(trigger)) {
      result[trigger] = { LambdaArn: target.lambdaArn, LambdaVersion: config.LambdaVersion || 'V1_0' }
      if (config.KMSKeyID) result.KMSKeyID = config.KMSKeyID
    } else if (trigger === 'PreTokenGeneration' && config.LambdaVersion) {
      result.PreTokenGenerationConfig = { LambdaArn: target.lambdaArn, LambdaVersion: config.LambdaVersion }
      delete result.PreTokenGeneration
    } else {
      result[trigger] = target.lambdaArn
      if (trigger === 'PreTokenGeneration') delete result.PreTokenGenerationConfig
    }
  }
  return result
}

/** UpdateUserPool input that keeps everything DescribeUserPool reported, with `lambdaConfig`. */
function updateRequest(userPool, lambdaConfig) {
  const request = { ...userPool }
  for (const field of DESCRIBE_ONLY) delete request[field]
  // The deprecated UnusedAccountValidityDays and PasswordPolicy.TemporaryPasswordValidityDays may not be
  // sent together; keep the value in the current place.
  const adminCreateUser = request.AdminCreateUserConfig
  if (adminCreateUser && adminCreateUser.UnusedAccountValidityDays !== undefined) {
    const { UnusedAccountValidityDays, ...rest } = adminCreateUser
    request.AdminCreateUserConfig = rest
    const policies = request.Policies || {}
    const passwordPolicy = policies.PasswordPolicy || {}
    if (passwordPolicy.TemporaryPasswordValidityDays === undefined) {
      request.Policies = {
        ...policies,
        PasswordPolicy: { ...passwordPolicy, TemporaryPasswordValidityDays: UnusedAccountValidityDays },
      }
    }
  }
  request.UserPoolId = userPool.Id
  request.LambdaConfig = lambdaConfig
  return request
}

/** Applies `change` to the LambdaConfig of the pool named `userPoolName` (`pool` when already looked up);
 *  false when there is no such pool. */
async function changeTriggers(cognito, userPoolName, change, pool) {
  if (!pool) pool = await findUserPool(cognito, userPoolName)
  if (!pool) return false
  try {
    const { UserPool } = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))
    const lambdaConfig = change(UserPool.LambdaConfig || {})
    await cognito.send(new UpdateUserPoolCommand(updateRequest(UserPool, lambdaConfig)))
  } catch (error) {
    if (utils.hasCode(error, 'ResourceNotFoundException')) return false
    throw utils.annotate(error, `Cannot update the triggers of Cognito User Pool "${userPoolName}"`)
  }
  return true
}

function clients(env) {
  const options = utils.clientOptions(env)
  return {
    cognito: new CognitoIdentityProviderClient(options),
    permission: utils.permissions(new LambdaClient(options), {
      principal: 'cognito-idp.amazonaws.com',
      statementId,
      label: (target) => `Cognito User Pool "${target.userPoolName}"`,
    }),
  }
}

async function create({ env, target, cognito, permission }) {
  const pool = await requireUserPool(cognito, target.userPoolName)
  await permission.add(target, userPoolArn(env, pool.Id))
  const found = await changeTriggers(
    cognito,
    target.userPoolName,
    (config) => withTriggers(withoutTriggers(config, [target.lambdaArn]), target),
    pool,
  )
  if (!found) throw new Error(`Could not find Cognito User Pool "${target.userPoolName}"`)
}

async function update({ env, target, previous, cognito, permission }) {
  // The same pool by name: only the target's pool id (its ARN) is looked up.
  const samePermission =
    permission.sameStatement(previous, target) && previous.userPoolName === target.userPoolName

  const pool = await requireUserPool(cognito, target.userPoolName)
  if (!samePermission) await permission.add(target, userPoolArn(env, pool.Id))
  const replaced = [target.lambdaArn]
  if (previous && previous.userPoolName === target.userPoolName) replaced.push(previous.lambdaArn)
  const found = await changeTriggers(
    cognito,
    target.userPoolName,
    (config) => withTriggers(withoutTriggers(config, replaced), target),
    pool,
  )
  if (!found) throw new Error(`Could not find Cognito User Pool "${target.userPoolName}"`)

  if (previous && previous.userPoolName !== target.userPoolName) {
    await changeTriggers(cognito, previous.userPoolName, (config) => withoutTriggers(config, [previous.lambdaArn]))
  }
  if (previous && !permission.sameStatement(previous, target)) await permission.remove(previous)
}

async function remove({ target, cognito, permission }) {
  await permission.remove(target)
  const found = await changeTriggers(cognito, target.userPoolName, (config) => withoutTriggers(config, [target.lambdaArn]))
  if (!found) utils.log(`Cognito User Pool "${target.userPoolName}" is gone: nothing to clean up`)
}

module.exports = {
  handler: utils.targetResource('CustomResourceExistingCognitoUserPool', {
    targetOf,
    clients,
    create,
    update,
    delete: remove,
  }),
  // for tests
  statementId,
  withTriggers,
  withoutTriggers,
  updateRequest,
}
