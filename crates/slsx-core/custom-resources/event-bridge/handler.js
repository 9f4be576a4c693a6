'use strict'
// Custom::EventBridge — an EventBridge rule, its Lambda target and the Lambda permission, managed by
// this function instead of AWS::Events::Rule resources: Serverless v3's legacy mode for `eventBridge`
// events (`provider.eventBridge` set without `useCloudFormation: true`). It exists so that stacks
// deployed by Serverless v3 with Custom::EventBridge resources can be updated and removed.
//
// Properties (as compiled for each eventBridge event):
//   FunctionName       the deployed function's name
//   EventBridgeConfig  { RuleName, State: 'ENABLED' | 'DISABLED', EventBus (optional: a name or an
//                        event bus ARN; absent or 'default' is the default bus), Schedule, Pattern,
//                        Input (object), InputPath, InputTransformer { InputPathsMap, InputTemplate } }
//
// Ids are the ones Serverless v3 used, so either tool can update or delete what the other created:
//   target id      `<RuleName>-target`; over 64 characters, the first 25 characters of that, the md5
//                  (hex) of the whole id, and `-target`
//   statement id   `<FunctionName>-<RuleName lower-cased, without . : *>` (at most 100 characters)
// A bus given by name (not an ARN, not 'default') is created when missing and deleted with the last
// rule on it; a bus given by ARN is never created or deleted.
//
// Only the calls Serverless v3's custom resource role allows are made: events:CreateEventBus,
// DeleteEventBus, PutRule, PutTargets, RemoveTargets, DeleteRule and lambda:AddPermission,
// RemovePermission (nothing is read back).

const crypto = require('node:crypto')
const {
  EventBridgeClient,
  CreateEventBusCommand,
  DeleteEventBusCommand,
  PutRuleCommand,
  DeleteRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} = require('@aws-sdk/client-eventbridge')
const { LambdaClient } = require('@aws-sdk/client-lambda')
const utils = require('../utils')

const TARGET_SUFFIX = 'target'
// Deleting a bus right after its last rule is deleted can still see the rule for a moment.
const BUS_DELETE_ATTEMPTS = 3
const BUS_DELETE_DELAY_MS = 2000

function targetId(ruleName) {
  const id = `${ruleName}-${TARGET_SUFFIX}`
  if (id.length <= 64) return id
  const digest = crypto.createHash('md5').update(id).digest('hex')
  return `${id.slice(0, 31 - TARGET_SUFFIX.length)}${digest}-${TARGET_SUFFIX}`
}

function statementId(functionName, ruleName) {
  return `${functionName}-${ruleName.toLowerCase().replace(/[.:*]/g, '')}`.slice(0, 100)
}

/** The bus: `name` to pass as EventBusName (undefined for the default bus) and whether this resource
 *  manages its existence (a name, not an ARN). */
function busOf(eventBus) {
  if (eventBus === undefined || eventBus === null || eventBus === '' || eventBus === 'default') {
    return { name: undefined, managed: false }
  }
  if (typeof eventBus !== 'string') {
    throw new Error(`EventBridgeConfig.EventBus must be an event bus name or ARN, got ${JSON.stringify(eventBus)}`)
  }
  if (eventBus.startsWith('arn:')) {
    const name = eventBus.slice(eventBus.indexOf('/') + 1)
    if (!eventBus.includes('/') || name === '') throw new Error(`Cannot tell the event bus name from "${eventBus}"`)
    return { name: name === 'default' ? undefined : name, managed: false }
  }
  return { name: eventBus, managed: true }
}

function targetOf(properties, env) {
  const functionName = utils.requireString(properties, 'FunctionName')
  const config = properties.EventBridgeConfig
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    throw new Error(`Property "EventBridgeConfig" must be an object, got ${JSON.stringify(config)}`)
  }
  const ruleName = utils.requireString(config, 'RuleName')
  const bus = busOf(config.EventBus)
  return {
    functionName,
    ruleName,
    bus,
    config,
    lambdaArn: utils.functionArn(env, functionName),
    sourceArn: `arn:${env.partition}:events:${env.region}:${env.accountId}:rule/${
      bus.name ? `${bus.name}/` : ''
    }${ruleName}`,
  }
}

const where = (target) => `EventBridge rule "${target.ruleName}" on ${busLabel(target.bus)}`
const busLabel = (bus) => (bus.name ? `event bus "${bus.name}"` : 'the default event bus')
const sameRule = (a, b) => a.ruleName === b.ruleName && a.bus.name === b.bus.name

// ---- the bus ---------------------------------------------------------------------------------------

async function ensureBus(events, bus) {
  if (!bus.managed) return
  try {
    await events.send(new CreateEventBusCommand({ Name: bus.name }))
    utils.log(`Created event bus "${bus.name}"`)
  } catch (error) {
    if (utils.hasCode(error, 'ResourceAlreadyExistsException')) return
    throw utils.annotate(error, `Cannot create event bus "${bus.name}"`)
  }
}

/** Deletes a bus this resource manages once no rule is left on it; a bus still used by other rules
 *  (another event of the stack, or someone else's) stays. */
async function releaseBus(events, bus) {
  if (!bus.managed) return
  for (let attempt = 1; ; attempt++) {
    try {
      await events.send(new DeleteEventBusCommand({ Name: bus.name }))
      utils.log(`Deleted event bus "${bus.name}"`)
      return
    } catch (error) {
      if (utils.hasCode(error, 'ResourceNotFoundException')) return
      const hasRules = utils.hasCode(error, 'ValidationException') && /rules/i.test(error.message || '')
      if (!hasRules) throw utils.annotate(error, `Cannot delete event bus "${bus.name}"`)
      if (attempt >= BUS_DELETE_ATTEMPTS) {
        utils.log(`Keeping event bus "${bus.name}": other rules still use it`)
        return
      }
      await utils.sleep(BUS_DELETE_DELAY_MS)
    }
  }
}

// ---- the rule and its target -----------------------------------------------------------------------

function ruleRequest(target) {
  const { Schedule, Pattern, State } = target.config
  const request = { Name: target.ruleName, State: State || 'ENABLED' }
  if (target.bus.name) request.EventBusName = target.bus.name
  if (Pattern !== undefined && Pattern !== null) {
    request.EventPattern = typeof Pattern === 'string' ? Pattern : JSON.stringify(Pattern)
  }
  if (Schedule) request.ScheduleExpression = Schedule
  if (!request.EventPattern && !request.ScheduleExpression) {
    throw new Error(`EventBridgeConfig of rule "${target.ruleName}" needs a Schedule or a Pattern`)
  }
  return request
}

function targetEntry(target) {
  const { Input, InputPath, InputTransformer } = target.config
  const entry = { Id: targetId(target.ruleName), Arn: target.lambdaArn }
  if (Input !== undefined && Input !== null && Input !== '') {
    entry.Input = typeof Input === 'string' ? Input : JSON.stringify(Input)
  } else if (InputPath) {
    entry.InputPath = InputPath
  } else if (InputTransformer) {
    entry.InputTransformer = InputTransformer
  }
  return entry
}

function failedEntries(output) {
  const failed = (output && output.FailedEntries) || []
  return failed.map((f) => `${f.TargetId}: ${f.ErrorCode || 'error'} ${f.ErrorMessage || ''}`.trim()).join('; ')
}

async function putRule(events, target) {
  try {
    await events.send(new PutRuleCommand(ruleRequest(target)))
  } catch (error) {
    throw utils.annotate(error, `Cannot put ${where(target)}`)
  }
}

async function putTarget(events, target) {
  const request = { Rule: target.ruleName, Targets: [targetEntry(target)] }
  if (target.bus.name) request.EventBusName = target.bus.name
  let output
  try {
    output = await events.send(new PutTargetsCommand(request))
  } catch (error) {
    throw utils.annotate(error, `Cannot set ${target.lambdaArn} as the target of ${where(target)}`)
  }
  if (output.FailedEntryCount) {
    throw new Error(`Cannot set ${target.lambdaArn} as the target of ${where(target)}: ${failedEntries(output)}`)
  }
}

/** Removes the target and the rule; a rule (or bus) that is gone already is fine. */
async function deleteRule(events, target) {
  const bus = target.bus.name ? { EventBusName: target.bus.name } : {}
  try {
    const output = await events.send(
      new RemoveTargetsCommand({ Rule: target.ruleName, Ids: [targetId(target.ruleName)], ...bus }),
    )
    if (output.FailedEntryCount) utils.log(`RemoveTargets on ${where(target)}: ${failedEntries(output)}`)
  } catch (error) {
    if (utils.hasCode(error, 'ResourceNotFoundException')) {
      utils.log(`${where(target)} is gone already`)
      return
    }
    throw utils.annotate(error, `Cannot remove the target of ${where(target)}`)
  }
  try {
    await events.send(new DeleteRuleCommand({ Name: target.ruleName, ...bus }))
  } catch (error) {
    if (utils.hasCode(error, 'ResourceNotFoundException')) return
    throw utils.annotate(error, `Cannot delete ${where(target)}`)
  }
}

// ---- operations ------------------------------------------------------------------------------------

function clients(env) {
  const options = utils.clientOptions(env)
  return {
    events: new EventBridgeClient(options),
    permission: utils.permissions(new LambdaClient(options), {
      principal: 'events.amazonaws.com',
      statementId: (target) => statementId(target.functionName, target.ruleName),
      label: where,
    }),
  }
}

async function create({ target, events, permission }) {
  ruleRequest(target) // an unusable configuration fails before anything is changed
  await permission.add(target, target.sourceArn)
  await ensureBus(events, target.bus)
  await putRule(events, target)
  await putTarget(events, target)
}

async function update({ target, previous, events, permission }) {
  ruleRequest(target)
  const sameStatement = permission.sameStatement(previous, target)
  const samePermission = sameStatement && previous.sourceArn === target.sourceArn

  if (!samePermission) {
    // Same statement id, other rule ARN (the rule moved to another bus): replace the statement.
    if (sameStatement) await permission.remove(previous)
    await permission.add(target, target.sourceArn)
  }
  await ensureBus(events, target.bus)
  await putRule(events, target)
  // PutTargets replaces the whole target of that id (input settings included).
  await putTarget(events, target)

  if (previous && !sameRule(previous, target)) {
    await deleteRule(events, previous)
    if (previous.bus.name !== target.bus.name) await releaseBus(events, previous.bus)
  }
  if (previous && !sameStatement) await permission.remove(previous)
}

async function remove({ target, events, permission }) {
  await permission.remove(target)
  await deleteRule(events, target)
  await releaseBus(events, target.bus)
}

module.exports = {
  handler: utils.targetResource('CustomResourceEventBridge', { targetOf, clients, create, update, delete: remove }),
  // for tests
  targetId,
  statementId,
}
