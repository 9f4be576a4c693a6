'use strict'
// Shared set-up for the JS tests: a fresh copy of a service in a temp dir, and AWS SDK clients for the
// local endpoint (AWS_ENDPOINT_URL, set by scripts/test.sh) to check what a deploy really did.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const crypto = require('node:crypto')
const { spawnSync } = require('node:child_process')
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

/** The JSON bodies of the requests to `pathname` (method `method`) made while `fn` runs, from moto's
 * request recorder: what slsx sent, also for fields moto does not keep. */
async function requestsDuring(fn, method, pathname) {
  const api = `${process.env.AWS_ENDPOINT_URL}/moto-api/recorder`
  const started = await fetch(`${api}/start-recording`, { method: 'POST' })
  if (!started.ok) throw new Error(`moto recorder start failed: ${started.status}`)
  let log
  try {
    await fetch(`${api}/reset-recording`, { method: 'POST' })
    await fn()
    log = await (await fetch(`${api}/download-recording`)).text()
  } finally {
    await fetch(`${api}/stop-recording`, { method: 'POST' })
  }
  return log
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((e) => e.method === method && new URL(e.url).pathname === pathname)
    .map((e) => (e.body ? JSON.parse(e.body_encoded ? Buffer.from(e.body, 'base64').toString('utf8') : e.body) : {}))
}

/** The osls@4.3.1 CLI scripts/test.sh installs (scripts/osls-golden.sh --install-only). */
const oslsBin = path.join(root, '.tools', 'osls', 'node_modules', 'osls', 'bin', 'serverless.js')

/** `osls deploy --stage dev --region us-east-1` in `dir` against the local emulator, with a HOME of its
 * own and no telemetry; returns spawnSync's result. */
function oslsDeploy(dir) {
  const env = {
    PATH: process.env.PATH,
    HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'osls-home-')),
    LANG: 'C.UTF-8',
    AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    SLS_TELEMETRY_DISABLED: '1',
    NPM_CONFIG_UPDATE_NOTIFIER: 'false',
  }
  return spawnSync(process.execPath, [oslsBin, 'deploy', '--stage', 'dev', '--region', 'us-east-1'], { cwd: dir, env, encoding: 'utf8' })
}

module.exports = { root, clients, copyService, sha256Base64, resetEmulator, withEnv, requestsDuring, oslsBin, oslsDeploy }
