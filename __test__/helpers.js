'use strict'
// Shared set-up for the JS tests: a fresh copy of a service in a temp dir, and AWS SDK clients for the
// local endpoint (AWS_ENDPOINT_URL, set by scripts/test.sh) to check what a deploy really did.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const crypto = require('node:crypto')
const { CloudFormationClient } = require('@aws-sdk/client-cloudformation')
const { S3Client } = require('@aws-sdk/client-s3')
const { LambdaClient } = require('@aws-sdk/client-lambda')

const root = path.join(__dirname, '..')

function requireEndpoint() {
  const endpoint = process.env.AWS_ENDPOINT_URL
  if (!endpoint || !/^http:\/\/127\.0\.0\.1:\d+$/.test(endpoint)) {
    throw new Error('AWS_ENDPOINT_URL must point at the local emulator: run the tests with `npm test`')
  }
  return endpoint
}

function clients() {
  const endpoint = requireEndpoint()
  const common = { endpoint, region: 'us-east-1' }
  return {
    cfn: new CloudFormationClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
    lambda: new LambdaClient(common),
  }
}

/** Copies `examples/<name>` (or an absolute dir) to a new temp dir and returns the copy's path. */
function copyService(source) {
  const from = path.isAbsolute(source) ? source : path.join(root, 'examples', source)
  const to = fs.mkdtempSync(path.join(os.tmpdir(), 'slsx-test-'))
  fs.cpSync(from, to, { recursive: true, filter: (p) => !p.includes(`${path.sep}.serverless`) })
  return to
}

function sha256Base64(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('base64')
}

async function resetEmulator() {
  const res = await fetch(`${requireEndpoint()}/moto-api/reset`, { method: 'POST' })
  if (!res.ok) throw new Error(`moto reset failed: ${res.status}`)
}

/** Runs `fn` with these variables in process.env (undefined removes one), then restores them: the
 * native addon and the processes it starts see the test process's environment. */
async function withEnv(vars, fn) {
  const saved = {}
  const apply = (entries) => {
    for (const [k, v] of entries) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
  for (const k of Object.keys(vars)) saved[k] = process.env[k]
  apply(Object.entries(vars))
  try {
    return await fn()
  } finally {
    apply(Object.entries(saved))
  }
}

module.exports = { root, clients, copyService, sha256Base64, resetEmulator, withEnv }
