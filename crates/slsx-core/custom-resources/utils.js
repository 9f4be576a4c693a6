'use strict'
// Shared plumbing for slsx's custom-resource Lambda handlers (zipped by the engine into
// custom-resources.zip). Runs on the AWS Lambda Node.js runtime: Node built-ins and the AWS SDK v3
// clients the runtime provides, nothing else.
//
// `customResource()` turns three async operations (create, update, delete) into a Lambda handler that
// always answers CloudFormation: a PUT of { Status, Reason, PhysicalResourceId, StackId, RequestId,
// LogicalResourceId } to the pre-signed event.ResponseURL. Any error, including running out of time,
// becomes FAILED with the error message as the Reason; the handler only throws (so that Lambda retries
// the invocation) when the response itself could not be delivered.
//
// `targetResource()` builds on it for the handlers whose properties name one function and what invokes
// it (reading the target, the previous target on Update, a tolerant Delete); `permissions()` manages
// that function's Lambda permission statement for them.

const http = require('node:http')
const https = require('node:https')

// How many times each SDK call is attempted (the SDK's own retry with back-off).
const MAX_ATTEMPTS = 8
// CloudFormation rejects response bodies over 4096 bytes.
const MAX_RESPONSE_BYTES = 4096
// Time kept back from the Lambda timeout to report a failure instead of being killed silently.
const DEADLINE_MARGIN_MS = 10000
// Delivering the response: a few attempts, each bounded.
const RESPONSE_ATTEMPTS = 4
const RESPONSE_TIMEOUT_MS = 5000

// Everything goes to the function's CloudWatch log stream through here (tests replace it).
const logger = { log: (...args) => console.log(...args), error: (...args) => console.error(...args) }
const log = (...args) => logger.log(...args)

/** Partition, region and account of the running function, from context.invokedFunctionArn. */
function awsEnvironment(context) {
  const arn = context && context.invokedFunctionArn
  const match =
    typeof arn === 'string' && /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:[^:]+/.exec(arn)
  if (!match) throw new Error(`Cannot tell the partition, region and account from the function ARN "${arn}"`)
  return { partition: match[1], region: match[2], accountId: match[3] }
}

/** Options for every SDK client: the function's region; the endpoint comes from the SDK's own config
 *  (AWS_ENDPOINT_URL and friends are honoured by the SDK itself). */
function clientOptions(env) {
  return { region: env.region, maxAttempts: MAX_ATTEMPTS }
}

function functionArn(env, functionName, qualifier) {
  const arn = `arn:${env.partition}:lambda:${env.region}:${env.accountId}:function:${functionName}`
  return qualifier ? `${arn}:${qualifier}` : arn
}

/** True when the SDK error carries one of `codes` as its name or code. */
function hasCode(error, ...codes) {
  if (!error) return false
  return [error.name, error.Code, error.code].some((c) => c && codes.includes(c))
}

/** A `.catch()` callback that swallows errors with one of `codes` and rethrows anything else. */
function ignoring(...codes) {
  return (error) => {
    if (hasCode(error, ...codes)) {
      log(`Ignoring ${error.name || error.code}: ${error.message}`)
      return undefined
    }
    throw error
  }
}

/** Prefixes the error's message with what was being done, keeping its name and code. */
function annotate(error, what) {
  if (error && typeof error === 'object') {
    try {
      error.message = `${what}: ${error.message}`
      return error
    } catch {
      // read-only message: fall through to a new error
    }
  }
  const wrapped = new Error(`${what}: ${error && error.message ? error.message : error}`)
  wrapped.cause = error
  return wrapped
}

function requireString(properties, name) {
  const value = properties && properties[name]
  if (typeof value !== 'string' || value === '') {
    throw new Error(`Property "${name}" must be a non-empty string, got ${JSON.stringify(value)}`)
  }
  return value
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Removes anything that looks like an access key or a pre-signed URL's secrets from a message. */
function redact(text) {
  return String(text)
    .replace(/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '[redacted]')
    .replace(/(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"']+/gi, '$1[redacted]')
}

function responseBody(event, status, physicalResourceId, reason) {
  const fields = (text) => ({
    Status: status,
    Reason: text,
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  })
  let text = redact(reason)
  let body = JSON.stringify(fields(text))
  while (Buffer.byteLength(body) > MAX_RESPONSE_BYTES && text.length > 0) {
    const excess = Buffer.byteLength(body) - MAX_RESPONSE_BYTES
    text = `${text.slice(0, Math.max(0, text.length - excess - 16))}...`
    if (text === '...') text = ''
    body = JSON.stringify(fields(text))
  }
  return body
}

function putOnce(url, body) {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    const transport = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : null
    if (!transport) return reject(new Error(`Unsupported ResponseURL protocol ${target.protocol}`))
    const request = transport.request(
      target,
      {
        method: 'PUT',
        // The pre-signed URL is signed for an empty content type.
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
        timeout: RESPONSE_TIMEOUT_MS,
      },
      (response) => {
        response.resume()
        response.on('end', () => {
          const code = response.statusCode
          if (code >= 200 && code < 300) return resolve()
          const error = new Error(`CloudFormation answered the response with HTTP ${code}`)
          error.retryable = code >= 500 || code === 429
          reject(error)
        })
        response.on('error', reject)
      },
    )
    request.on('timeout', () => request.destroy(new Error('Timed out sending the response to CloudFormation')))
    request.on('error', (error) => {
      if (error.retryable === undefined) error.retryable = true
      reject(error)
    })
    request.end(body)
  })
}

async function sendResponse(event, status, physicalResourceId, reason) {
  if (typeof event.ResponseURL !== 'string') throw new Error('The event has no ResponseURL')
  const body = responseBody(event, status, physicalResourceId, reason)
  log(`Responding ${body}`)
  for (let attempt = 1; ; attempt++) {
    try {
      await putOnce(event.ResponseURL, body)
      return
    } catch (error) {
      log(`Sending the response failed (attempt ${attempt}): ${redact(error.message)}`)
      if (!error.retryable || attempt >= RESPONSE_ATTEMPTS) throw error
      await sleep(200 * 2 ** (attempt - 1))
    }
  }
}

/** Runs `promise`, rejecting instead when the invocation is about to time out. */
function withinDeadline(promise, context) {
  const remaining =
    context && typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : NaN
  if (!Number.isFinite(remaining)) return promise
  const ms = Math.max(remaining - DEADLINE_MARGIN_MS, Math.floor(remaining / 2))
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Gave up after ${Math.round(ms / 1000)}s to report the failure before the Lambda timeout`)),
      ms,
    )
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function eventForLog(event) {
  const { ResponseURL, ...rest } = event || {}
  return JSON.stringify(rest)
}

/**
 * A Lambda handler for a custom resource. `operations` holds async create/update/delete functions
 * `(event, context) => void`; `physicalResourceId` is the stable id answered for Create (Update and
 * Delete echo the id CloudFormation sends, so a resource is never seen as replaced).
 */
function customResource(physicalResourceId, operations) {
  return async function handler(event, context) {
    log(`Received ${eventForLog(event)}`)
    const requestType = event && event.RequestType
    const physicalId = (requestType !== 'Create' && event && event.PhysicalResourceId) || physicalResourceId
    const streamNote = context && context.logStreamName ? ` (CloudWatch log stream ${context.logStreamName})` : ''
    let status = 'SUCCESS'
    let reason = `${requestType} done${streamNote}`
    try {
      const operation = { Create: operations.create, Update: operations.update, Delete: operations.delete }[
        requestType
      ]
      if (!operation) throw new Error(`Unknown RequestType "${requestType}"`)
      await withinDeadline(Promise.resolve().then(() => operation(event, context)), context)
    } catch (error) {
      status = 'FAILED'
      reason = `${(error && error.message) || String(error)}${streamNote}`
      logger.error(error)
    }
    await sendResponse(event || {}, status, physicalId, reason)
    return { Status: status, PhysicalResourceId: physicalId }
  }
}

/**
 * customResource() for the handlers whose properties name one target (a function and the thing that
 * invokes it). `spec.targetOf(properties, env)` reads and checks the properties, `spec.clients(env)`
 * makes what the operations use; each operation gets `{ env, target, previous, ...clients }`:
 *   create  the target of ResourceProperties (unusable properties fail the request);
 *   update  the same, and `previous`, the target of OldResourceProperties (undefined when they are
 *           absent or unusable: there is then nothing of theirs to undo);
 *   delete  properties no target can be read from are let go: SUCCESS, nothing done.
 */
function targetResource(physicalResourceId, { targetOf, clients, create, update, delete: remove }) {
  return customResource(physicalResourceId, {
    async create(event, context) {
      const env = awsEnvironment(context)
      const target = targetOf(event.ResourceProperties, env)
      await create({ env, target, ...clients(env) })
    },
    async update(event, context) {
      const env = awsEnvironment(context)
      const target = targetOf(event.ResourceProperties, env)
      let previous
      try {
        previous = event.OldResourceProperties && targetOf(event.OldResourceProperties, env)
      } catch (error) {
        log(`Ignoring unusable OldResourceProperties: ${error.message}`)
      }
      await update({ env, target, previous, ...clients(env) })
    },
    async delete(event, context) {
      const env = awsEnvironment(context)
      let target
      try {
        target = targetOf(event.ResourceProperties || {}, env)
      } catch (error) {
        // Nothing this handler could have set up: let the stack go.
        log(`Nothing to delete: ${error.message}`)
        return
      }
      await remove({ env, target, ...clients(env) })
    },
  })
}

// How many times AddPermission is attempted when it reports a conflict.
const ADD_PERMISSION_ATTEMPTS = 5

/**
 * The Lambda permission statement that lets `principal` invoke a target's function. A target has
 * `functionName`, an optional `qualifier` (alias) and `lambdaArn`; `statementId(target)` is the
 * handler's statement id scheme (shared with Serverless, so either tool finds the other's statement),
 * `label(target)` names the invoking resource in error messages, `sourceAccount` (optional) is sent
 * as SourceAccount with every AddPermission.
 */
function permissions(lambda, { principal, statementId, label, sourceAccount }) {
  // Required here so that only the handlers that manage a permission load the Lambda client.
  const { AddPermissionCommand, RemovePermissionCommand } = require('@aws-sdk/client-lambda')

  const statementOf = (target) => ({
    FunctionName: target.functionName,
    ...(target.qualifier && { Qualifier: target.qualifier }),
    StatementId: statementId(target),
  })

  /** Removes the target's statement; one that is not there is fine. */
  async function remove(target) {
    await lambda.send(new RemovePermissionCommand(statementOf(target))).catch(ignoring('ResourceNotFoundException'))
  }

  /** Adds the target's statement for `sourceArn`, replacing a statement of that id. */
  async function add(target, sourceArn) {
    const request = {
      ...statementOf(target),
      Action: 'lambda:InvokeFunction',
      Principal: principal,
      SourceArn: sourceArn,
      ...(sourceAccount && { SourceAccount: sourceAccount }),
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await lambda.send(new AddPermissionCommand(request))
        return
      } catch (error) {
        if (!hasCode(error, 'ResourceConflictException') || attempt >= ADD_PERMISSION_ATTEMPTS) {
          throw annotate(error, `Cannot allow ${label(target)} to invoke ${target.lambdaArn}`)
        }
        // The statement id is taken (an earlier deploy) or the function is being updated: replace the
        // statement so it matches this request, and try again.
        await remove(target)
        if (attempt > 1) await sleep(2000 * attempt)
      }
    }
  }

  /** True when `previous` (possibly undefined) and `target` name the same statement of the same function. */
  function sameStatement(previous, target) {
    return Boolean(
      previous &&
        previous.functionName === target.functionName &&
        previous.qualifier === target.qualifier &&
        statementId(previous) === statementId(target),
    )
  }

  return { add, remove, sameStatement }
}

module.exports = {
  MAX_ATTEMPTS,
  awsEnvironment,
  clientOptions,
  functionArn,
  hasCode,
  ignoring,
  annotate,
  requireString,
  sleep,
  redact,
  responseBody,
  sendResponse,
  withinDeadline,
  customResource,
  targetResource,
  permissions,
  log,
  logger,
}
