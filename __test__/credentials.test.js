'use strict'
// Which credentials sign the requests: osls 4.3.1's order of sources (--aws-profile, AWS_<STAGE>_PROFILE,
// AWS_<STAGE>_ACCESS_KEY_ID…, AWS_PROFILE, AWS_ACCESS_KEY_ID…, provider.profile, then the default
// chain). A temporary HOME holds ~/.aws/credentials with two profiles; a private emulator
// (scripts/moto_server.py with SLSX_MOTO_REQUEST_LOG) records the access key id of every request's
// credential scope, so each case asserts which key signed everything slsx sent — the AWS variable
// lookups (${aws:accountId}) included.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const { spawn, execFile } = require('node:child_process')

const { deploy, deployFunction, info } = require('..')
const { root, copyService, withEnv } = require('./helpers')

const KEYS = { prod: 'AKIAPRODEXAMPLE00001', other: 'AKIAOTHEREXAMPLE0002' }
const SECRETS = ['prod-secret-never-printed', 'other-secret-never-printed', 'stage-secret-never-printed', 'env-secret-never-printed']
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'slsx-home-'))
const log = path.join(home, 'requests.log')
let moto
let endpoint

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
    s.on('error', reject)
  })
}

before(async () => {
  fs.mkdirSync(path.join(home, '.aws'))
  fs.writeFileSync(
    path.join(home, '.aws', 'credentials'),
    `[prod]\naws_access_key_id = ${KEYS.prod}\naws_secret_access_key = ${SECRETS[0]}\n\n` +
      `[other]\naws_access_key_id = ${KEYS.other}\naws_secret_access_key = ${SECRETS[1]}\n`,
  )
  const python = path.join(root, '.venv', 'bin', 'python')
  if (!fs.existsSync(python)) throw new Error('the emulator is not installed: run `scripts/local-aws.sh install`')
  const port = await freePort()
  endpoint = `http://127.0.0.1:${port}`
  moto = spawn(python, [path.join(root, 'scripts', 'moto_server.py'), '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, SLSX_MOTO_REQUEST_LOG: log },
    stdio: 'ignore',
  })
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) break
    } catch {}
    if (i > 150) throw new Error('the private emulator did not start')
    await new Promise((r) => setTimeout(r, 100))
  }
})

after(() => {
  if (moto) moto.kill()
  fs.rmSync(home, { recursive: true, force: true })
})

/** A one-function service of stage prod; `profile` (a line under provider) and an AWS lookup. */
function service(profileLine) {
  const dir = copyService('hello')
  fs.writeFileSync(
    path.join(dir, 'serverless.yml'),
    'service: creds\n' +
      'custom:\n  profiles:\n    prod: prod\n' +
      'provider:\n  name: aws\n  runtime: nodejs22.x\n  stage: prod\n' +
      (profileLine ? `  ${profileLine}\n` : '') +
      '  environment:\n    ACCOUNT: ${aws:accountId}\n' +
      'functions:\n  hello:\n    handler: handler.hello\n',
  )
  return dir
}

/** Nothing from the test runner's own credentials: each case names its sources. */
const CLEAN = {
  HOME: home,
  AWS_SHARED_CREDENTIALS_FILE: undefined,
  AWS_CONFIG_FILE: undefined,
  AWS_PROFILE: undefined,
  AWS_DEFAULT_PROFILE: undefined,
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROD_PROFILE: undefined,
  AWS_PROD_ACCESS_KEY_ID: undefined,
  AWS_PROD_SECRET_ACCESS_KEY: undefined,
  AWS_PROD_SESSION_TOKEN: undefined,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
}
const ENV_KEYS = { AWS_ACCESS_KEY_ID: 'AKIAENVEXAMPLE000003', AWS_SECRET_ACCESS_KEY: SECRETS[3] }
const STAGE_KEYS = { AWS_PROD_ACCESS_KEY_ID: 'AKIASTAGEEXAMPLE0004', AWS_PROD_SECRET_ACCESS_KEY: SECRETS[2] }

/** Runs `fn` with `vars` over CLEAN against the private emulator; returns what it returned, the
 * access key ids of the requests it made, and the services they went to. */
async function signed(vars, fn) {
  const from = fs.existsSync(log) ? fs.statSync(log).size : 0
  const result = await withEnv({ ...CLEAN, AWS_ENDPOINT_URL: endpoint, ...vars }, fn)
  const records = fs
    .readFileSync(log, 'utf8')
    .slice(from)
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
  assert.ok(records.length > 0, 'requests were made')
  return {
    result,
    keys: [...new Set(records.map((r) => r.accessKeyId))],
    services: new Set(records.map((r) => r.service)),
  }
}

function collect() {
  const events = []
  return { events, onProgress: (e) => events.push(e) }
}

const said = (events) => events.filter((e) => e.kind === 'credentials').map((e) => e.message)

test('provider.profile (behind variables) picks its profile, for the deploy and the AWS lookups', async () => {
  const dir = service('profile: ${self:custom.profiles.${sls:stage}}')
  const p = collect()
  const { result, keys, services } = await signed({}, () => deploy({ servicePath: dir, onProgress: p.onProgress }))
  assert.equal(result.stackCreated, true)
  assert.deepEqual(keys, [KEYS.prod])
  assert.ok(services.has('sts') && services.has('cloudformation') && services.has('s3'), [...services].join())
  assert.deepEqual(said(p.events), ['profile "prod" from provider.profile'])
})

test('AWS_<STAGE>_PROFILE beats provider.profile (deploy function)', async () => {
  const dir = service('profile: prod')
  const p = collect()
  const { keys } = await signed({ AWS_PROD_PROFILE: 'other' }, () =>
    deployFunction({ servicePath: dir, functions: ['hello'], onProgress: p.onProgress }),
  )
  assert.deepEqual(keys, [KEYS.other])
  assert.deepEqual(said(p.events), ['profile "other" from AWS_PROD_PROFILE'])
})

test('AWS_<STAGE>_ACCESS_KEY_ID / _SECRET_ACCESS_KEY beat provider.profile (info)', async () => {
  const dir = service('profile: prod')
  const { keys } = await signed({ ...STAGE_KEYS, AWS_PROFILE: 'prod' }, () => info({ servicePath: dir }).catch((e) => e))
  assert.deepEqual(keys, [STAGE_KEYS.AWS_PROD_ACCESS_KEY_ID])
})

test('--aws-profile beats every other source; --verbose says which, and no secret is printed', async () => {
  const dir = service('profile: prod')
  const vars = { ...ENV_KEYS, ...STAGE_KEYS, AWS_PROD_PROFILE: 'prod', AWS_PROFILE: 'prod' }
  const { result, keys } = await signed(vars, () =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [path.join(root, 'bin', 'slsx.js'), 'deploy', '--aws-profile', 'other', '--verbose'],
        { cwd: dir, env: process.env },
        (error, stdout, stderr) => resolve({ error, out: stdout + stderr }),
      )
    }),
  )
  assert.equal(result.error, null, result.out)
  assert.deepEqual(keys, [KEYS.other])
  assert.match(result.out, /AWS credentials: profile "other" from --aws-profile/)
  for (const s of SECRETS) assert.ok(!result.out.includes(s), 'a secret was printed')
})

test('the plain environment beats provider.profile, as in osls; without either, it is the default chain', async () => {
  const p = collect()
  const withProfile = await signed(ENV_KEYS, () => deploy({ servicePath: service('profile: prod'), onProgress: p.onProgress }))
  assert.deepEqual(withProfile.keys, [ENV_KEYS.AWS_ACCESS_KEY_ID])
  assert.deepEqual(said(p.events), ['AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment variables'])
  const none = await signed(ENV_KEYS, () => info({ servicePath: service(null) }).catch((e) => e))
  assert.deepEqual(none.keys, [ENV_KEYS.AWS_ACCESS_KEY_ID])
})

test('a profile no file has is UNRECOGNIZED_AWS_PROFILE, never the default credentials', async () => {
  const dir = copyService('hello')
  fs.writeFileSync(
    path.join(dir, 'serverless.yml'),
    'service: creds\nprovider:\n  name: aws\n  runtime: nodejs22.x\n  stage: prod\n  profile: missing\n' +
      'functions:\n  hello:\n    handler: handler.hello\n',
  )
  await withEnv({ ...CLEAN, AWS_ENDPOINT_URL: endpoint, AWS_DEFAULT_PROFILE: 'prod' }, () =>
    assert.rejects(info({ servicePath: dir }), (err) => {
      assert.equal(err.code, 'UNRECOGNIZED_AWS_PROFILE')
      assert.match(err.message, /AWS profile "missing" doesn't seem to be configured/)
      return true
    }),
  )
})
