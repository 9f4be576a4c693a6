'use strict'
// The `slsx` command: serverless-style output for deploy, skip and errors.

const { test, before } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const { root, copyService, resetEmulator } = require('./helpers')

const bin = path.join(root, 'bin', 'slsx.js')
let dir

function slsx(args, cwd = dir) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' })
}

before(async () => {
  await resetEmulator()
  dir = copyService('hello')
})

test('deploy prints the summary, then the skip', () => {
  const first = slsx(['deploy', '--stage', 'cli', '--verbose'])
  assert.equal(first.status, 0, first.stderr)
  assert.match(first.stderr, /Deploying hello to stage cli \(us-east-1\)/)
  assert.match(first.stderr, /UPDATE_COMPLETE - AWS::CloudFormation::Stack - hello-cli/)
  assert.match(first.stdout, /✔ Service deployed to stack hello-cli \(\d+s\)/)
  assert.match(first.stdout, /functions:\n {2}hello: hello-cli-hello \(\d+(\.\d)? (B|kB)\)/)
  assert.match(first.stdout, /Stack Outputs:\n(.|\n)*ServerlessDeploymentBucketName: /)

  const second = slsx(['deploy', '-s', 'cli'])
  assert.equal(second.status, 0, second.stderr)
  assert.match(second.stdout, /No changes to deploy\. Deployment skipped\. \(\d+s\)/)
})

test('errors exit 1 with the message and code; unknown options exit 2', () => {
  fs.writeFileSync(path.join(dir, 'broken.yml'), 'service: [\n')
  const bad = slsx(['deploy', '--config', 'broken.yml'])
  assert.equal(bad.status, 1)
  assert.match(bad.stderr, /broken\.yml:\d+:\d+/)
  assert.match(bad.stderr, /code: CONFIGURATION_PARSE_ERROR/)

  const unknown = slsx(['deploy', '--nope'])
  assert.equal(unknown.status, 2)
  assert.match(unknown.stderr, /Unknown option "--nope"/)
})

test('info shows the deployed service', () => {
  const r = slsx(['info', '--stage', 'cli', '--verbose'])
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /service: hello\nstage: cli\nregion: us-east-1\nstack: hello-cli\nstatus: UPDATE_COMPLETE/)
  assert.match(r.stdout, /functions:\n {2}hello: hello-cli-hello/)
  assert.match(r.stdout, /Stack Outputs:\n(.|\n)*HelloLambdaFunctionQualifiedArn: /)
  const missing = slsx(['info', '--stage', 'nowhere'])
  assert.equal(missing.status, 1)
  assert.match(missing.stderr, /code: AWS_CLOUD_FORMATION_STACK_NOT_FOUND/)
})
