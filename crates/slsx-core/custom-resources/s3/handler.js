'use strict'
// Custom::S3 — subscribes a function to an S3 bucket the stack does not own (`s3: { existing: true }`).
//
// Properties (as compiled for each function with such events):
//   FunctionName       the deployed function's name
//   FunctionQualifier  optional alias name (provider.alias / targetAlias)
//   BucketName         the existing bucket
//   BucketConfigs      [{ Event: 's3:ObjectCreated:*', Rules: [{ Prefix: 'a/' }, { Suffix: '.b' }] }]
//   ForceDeploy        optional timestamp, only there to force an Update
//
// The function's notification entries are recognised by their Id, `<FunctionName>-<md5 of the
// BucketConfig JSON>` (the scheme Serverless uses, so stacks deployed by either tool interoperate);
// every other entry of the bucket's notification configuration is left as it is. The Lambda
// permission for s3.amazonaws.com is managed here too, with the statement id
// `<FunctionName>-<bucket name without . : *>` (at most 100 characters).

const crypto = require('node:crypto')
const {
  S3Client,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
} = require('@aws-sdk/client-s3')
const { LambdaClient } = require('@aws-sdk/client-lambda')
const utils = require('../utils')

function targetOf(properties, env) {
  const functionName = utils.requireString(properties, 'FunctionName')
  const bucketName = utils.requireString(properties, 'BucketName')
  const qualifier = properties.FunctionQualifier || undefined
  const configs = properties.BucketConfigs || []
  if (!Array.isArray(configs)) throw new Error('Property "BucketConfigs" must be a list')
  return {
    functionName,
    qualifier,
    bucketName,
    configs,
    lambdaArn: utils.functionArn(env, functionName, qualifier),
    bucketArn: `arn:${env.partition}:s3:::${bucketName}`,
  }
}

function statementId(target) {
  return `${target.functionName}-${target.bucketName.replace(/[.:*]/g, '')}`.slice(0, 100)
}

function entryId(functionName, bucketConfig) {
  const digest = crypto.createHash('md5').update(JSON.stringify(bucketConfig)).digest('hex')
  return `${functionName}-${digest}`
}

function ownedBy(entry, functionName) {
  const prefix = `${functionName}-`
  return (
    typeof entry.Id === 'string' && entry.Id.startsWith(prefix) && /^[0-9a-f]{32}$/.test(entry.Id.slice(prefix.length))
  )
}

function filterOf(rules) {
  if (!Array.isArray(rules) || rules.length === 0) return undefined
  const FilterRules = rules.map((rule) => {
    const [name] = Object.keys(rule)
    return { Name: name.toLowerCase(), Value: rule[name] }
  })
  return { Key: { FilterRules } }
}

function entriesFor(target) {
  return target.configs.map((bucketConfig) => {
    const entry = {
      Id: entryId(target.functionName, bucketConfig),
      LambdaFunctionArn: target.lambdaArn,
      Events: [bucketConfig.Event],
    }
    const filter = filterOf(bucketConfig.Rules)
    if (filter) entry.Filter = filter
    return entry
  })
}

async function readNotifications(s3, bucketName) {
  try {
    const { $metadata, ...configuration } = await s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: bucketName }),
    )
    return configuration
  } catch (error) {
    throw utils.annotate(error, `Cannot read the notification configuration of S3 bucket "${bucketName}"`)
  }
}

/** Replaces, in `configuration`, the entries owned by any of `functionNames` with `entries`, and saves it. */
async function writeNotifications(s3, bucketName, configuration, functionNames, entries) {
  const kept = (configuration.LambdaFunctionConfigurations || []).filter(
    (entry) => !functionNames.some((name) => ownedBy(entry, name)),
  )
  const NotificationConfiguration = { ...configuration, LambdaFunctionConfigurations: [...kept, ...entries] }
  try {
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucketName, NotificationConfiguration }))
  } catch (error) {
    throw utils.annotate(error, `Cannot update the notification configuration of S3 bucket "${bucketName}"`)
  }
}

/** Takes the function's entries off a bucket; a bucket that is gone or no longer ours to edit is skipped. */
async function detach(s3, bucketName, functionName) {
  try {
    const configuration = await readNotifications(s3, bucketName)
    await writeNotifications(s3, bucketName, configuration, [functionName], [])
  } catch (error) {
    if (utils.hasCode(error, 'NoSuchBucket', 'AccessDenied')) {
      utils.log(`Skipping the notification clean-up of S3 bucket "${bucketName}": ${error.message}`)
      return
    }
    throw error
  }
}

function clients(env) {
  const options = utils.clientOptions(env)
  // With a custom endpoint (a local emulator), virtual-hosted addressing of dotted bucket names cannot
  // work; AWS itself never sets these variables for a function.
  const forcePathStyle = Boolean(process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL)
  return {
    s3: new S3Client({ ...options, forcePathStyle }),
    permission: utils.permissions(new LambdaClient(options), {
      principal: 's3.amazonaws.com',
      sourceAccount: env.accountId,
      statementId,
      label: (target) => `S3 bucket "${target.bucketName}"`,
    }),
  }
}

async function create({ target, s3, permission }) {
  // Read first: a missing bucket fails before anything is changed.
  const configuration = await readNotifications(s3, target.bucketName)
  await permission.add(target, target.bucketArn)
  await writeNotifications(s3, target.bucketName, configuration, [target.functionName], entriesFor(target))
}

async function update({ target, previous, s3, permission }) {
  const samePermission = permission.sameStatement(previous, target) && previous.bucketArn === target.bucketArn

  const configuration = await readNotifications(s3, target.bucketName)
  if (!samePermission) await permission.add(target, target.bucketArn)
  const replaced = [target.functionName]
  if (previous && previous.functionName !== target.functionName) replaced.push(previous.functionName)
  await writeNotifications(s3, target.bucketName, configuration, replaced, entriesFor(target))

  if (previous && previous.bucketName !== target.bucketName) {
    await detach(s3, previous.bucketName, previous.functionName)
  }
  if (previous && !permission.sameStatement(previous, target)) await permission.remove(previous)
}

async function remove({ target, s3, permission }) {
  await permission.remove(target)
  await detach(s3, target.bucketName, target.functionName)
}

module.exports = {
  handler: utils.targetResource('CustomResourceExistingS3', { targetOf, clients, create, update, delete: remove }),
  // for tests
  entryId,
  statementId,
}
