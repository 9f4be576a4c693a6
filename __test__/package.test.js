'use strict'
// `packageService()`, `slsx package [--package DIR]` and `deploy({ package })` of a directory made by
// slsx or by osls (crates/slsx-core/tests/fixtures/hello/osls-package, from scripts/osls-golden.sh).

const { test, before } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { DescribeStackResourcesCommand } = require('@aws-sdk/client-cloudformation')
const { GetFunctionCommand } = require('@aws-sdk/client-lambda')

const { packageService, deploy } = require('..')
const { root, clients, copyService, sha256Base64, resetEmulator } = require('./helpers')

const fixtures = path.join(root, 'crates', 'slsx-core', 'tests', 'fixtures')
const aws = clients()

before(resetEmulator)

function listFiles(dir) {
  return fs.readdirSync(dir).sort()
}

test('packageService writes the zips, both templates and the state, reproducibly', async () => {
  const dir = copyService(path.join(fixtures, 'pkg-individually'))
  const events = []
  const first = await packageService({ servicePath: dir, onProgress: (e) => events.push(e) })
  assert.equal(first.packageDir, path.join(fs.realpathSync(dir), '.serverless'))
  assert.deepEqual(listFiles(first.packageDir), [
    '.slsx-cache.json',
    '.slsx-deflate.bin',
    '.slsx-deflate.idx',
    'alpha.zip',
    'beta.zip',
    'cloudformation-template-create-stack.json',
    'cloudformation-template-update-stack.json',
    'fn.zip',
    'gamma.zip',
    'serverless-state.json',
  ])
  assert.deepEqual(first.functions.map((f) => [f.key, f.artifact]), [
    ['alpha', 'alpha.zip'],
    ['beta', 'beta.zip'],
    ['gamma', 'gamma.zip'],
    ['prebuilt', 'fn.zip'],
  ])
  for (const a of first.artifacts) assert.equal(a.sha256, sha256Base64(a.path))
  assert.equal(events.filter((e) => e.kind === 'artifactPackaged').length, 4)

  const state = JSON.parse(fs.readFileSync(path.join(first.packageDir, 'serverless-state.json'), 'utf8'))
  assert.equal(state.service.functions.alpha.package.artifact, 'alpha.zip')
  assert.ok(!JSON.stringify(state).includes(fs.realpathSync(dir)), 'no absolute path in the state')

  // Another run, another absolute path, another locale: the same bytes.
  const elsewhere = copyService(path.join(fixtures, 'pkg-individually'))
  const env = { ...process.env, LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' }
  const cli = spawnSync(process.execPath, [path.join(root, 'bin', 'slsx.js'), 'package'], { cwd: elsewhere, env, encoding: 'utf8' })
  assert.equal(cli.status, 0, cli.stderr)
  for (const a of first.artifacts) {
    assert.equal(sha256Base64(path.join(elsewhere, '.serverless', a.name)), a.sha256, a.name)
  }
})

test('slsx package --package DIR writes there and nowhere else', () => {
  const dir = copyService('hello')
  const before = listFiles(dir)
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'slsx.js'), 'package', '--package', 'build/pkg'], { cwd: dir, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /✔ Service packaged/)
  assert.deepEqual(listFiles(path.join(dir, 'build', 'pkg')), [
    '.slsx-cache.json',
    '.slsx-deflate.bin',
    '.slsx-deflate.idx',
    'cloudformation-template-create-stack.json',
    'cloudformation-template-update-stack.json',
    'hello.zip',
    'serverless-state.json',
  ])
  assert.deepEqual(listFiles(dir), [...before, 'build'].sort(), 'no .serverless/ and nothing else')
})

test('bad packaging input: a missing artifact, an empty selection, a symlink loop — clear errors, nothing written', async () => {
  const missing = copyService('hello')
  fs.appendFileSync(path.join(missing, 'serverless.yml'), '    package:\n      artifact: dist/nope.zip\n')
  await assert.rejects(packageService({ servicePath: missing }), (err) => {
    assert.equal(err.code, 'INVALID_PACKAGE_ARTIFACT_PATH')
    assert.match(err.message, /dist\/nope\.zip/)
    assert.equal(err.path, 'functions.hello.package.artifact')
    return true
  })

  const empty = copyService('hello')
  fs.appendFileSync(path.join(empty, 'serverless.yml'), 'package:\n  patterns:\n    - "!**"\n')
  await assert.rejects(packageService({ servicePath: empty }), (err) => {
    assert.equal(err.code, 'NO_FILES_TO_PACKAGE')
    assert.match(err.message, /hello\.zip/)
    return true
  })
  assert.ok(!fs.existsSync(path.join(empty, '.serverless', 'hello.zip')))

  const loop = copyService('hello')
  fs.mkdirSync(path.join(loop, 'lib'))
  fs.symlinkSync('..', path.join(loop, 'lib', 'up'))
  await assert.rejects(packageService({ servicePath: loop }), (err) => {
    assert.equal(err.code, 'PACKAGE_SYMLINK_LOOP')
    assert.match(err.message, /lib\/up/)
    return true
  })
})

test('deploy --package deploys a directory slsx packaged, without packaging again', async () => {
  const dir = copyService('hello')
  const pkg = await packageService({ servicePath: dir, stage: 'pkg', package: 'artifacts' })
  fs.appendFileSync(path.join(dir, 'handler.js'), '\n// changed after packaging: must not be deployed\n')
  const r = await deploy({ servicePath: dir, stage: 'pkg', package: 'artifacts' })
  assert.equal(r.skipped, false)
  assert.equal(r.stackStatus, 'UPDATE_COMPLETE')
  assert.ok(!fs.existsSync(path.join(dir, '.serverless')), 'nothing was packaged')
  const fn = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'hello-pkg-hello' }))
  assert.equal(fn.Configuration.CodeSha256, pkg.artifacts[0].sha256)

  const again = await deploy({ servicePath: dir, stage: 'pkg', package: 'artifacts' })
  assert.equal(again.skipped, true)

  await assert.rejects(deploy({ servicePath: dir, stage: 'other', package: 'artifacts' }), (err) => {
    assert.equal(err.code, 'PACKAGE_STAGE_MISMATCH')
    return true
  })
})

test('deploy --package deploys a package osls@4.3.1 made', async () => {
  const dir = copyService(path.join(fixtures, 'hello'))
  const r = await deploy({ servicePath: dir, package: 'osls-package' })
  assert.equal(r.stackStatus, 'UPDATE_COMPLETE')
  assert.ok(!fs.existsSync(path.join(dir, '.serverless')), 'nothing was packaged')
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'osls-package', 'serverless-state.json'), 'utf8'))
  assert.equal(r.deploymentDir, state.package.artifactDirectoryName, 'the package keeps its S3 directory')
  const zipSha = sha256Base64(path.join(dir, 'osls-package', 'hello.zip'))
  assert.deepEqual(r.artifacts.map((a) => [a.s3Key, a.sha256]), [[`${state.package.artifactDirectoryName}/hello.zip`, zipSha]])
  const fn = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'hello-dev-hello' }))
  assert.equal(fn.Configuration.CodeSha256, zipSha)
  const { StackResources } = await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: 'hello-dev' }))
  const version = StackResources.find((x) => x.LogicalResourceId?.startsWith('HelloLambdaVersion')).LogicalResourceId
  assert.ok(state.service.provider.compiledCloudFormationTemplate.Resources[version], 'osls\'s own version id')
})

test('warnings: no lockfile for devDependencies, legacy include/exclude', async () => {
  const nolock = await packageService({ servicePath: copyService(path.join(fixtures, 'pkg-devdeps-nolock')) })
  assert.ok(nolock.warnings.some((w) => /No lockfile/.test(w)), nolock.warnings.join('\n'))
  const legacy = await packageService({ servicePath: copyService(path.join(fixtures, 'pkg-legacy-include-exclude')) })
  assert.ok(legacy.warnings.some((w) => /package\.include and package\.exclude are deprecated/.test(w)))
})

test('a function artifact on s3:// is downloaded while packaging and deployed', async () => {
  const { CreateBucketCommand, PutObjectCommand } = require('@aws-sdk/client-s3')
  const zip = path.join(fixtures, 'pkg-individually', 'prebuilt', 'fn.zip')
  await aws.s3.send(new CreateBucketCommand({ Bucket: 'slsx-test-artifacts' }))
  await aws.s3.send(new PutObjectCommand({ Bucket: 'slsx-test-artifacts', Key: 'builds/fn.zip', Body: fs.readFileSync(zip) }))
  const dir = copyService('hello')
  fs.appendFileSync(path.join(dir, 'serverless.yml'), '    package:\n      artifact: s3://slsx-test-artifacts/builds/fn.zip\n')
  const r = await deploy({ servicePath: dir, stage: 's3art' })
  assert.equal(r.artifacts.length, 1)
  assert.equal(r.artifacts[0].name, 'fn.zip')
  assert.equal(r.artifacts[0].sha256, sha256Base64(zip))
  const fn = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'hello-s3art-hello' }))
  assert.equal(fn.Configuration.CodeSha256, sha256Base64(zip))
})

test('an unchanged zip is taken from the previous package; a changed or touched input rebuilds it', async () => {
  const dir = copyService(path.join(fixtures, 'pkg-individually'))
  const first = await packageService({ servicePath: dir })
  const inode = (name) => fs.statSync(path.join(dir, '.serverless', name)).ino
  const before = Object.fromEntries(first.artifacts.map((a) => [a.name, inode(a.name)]))
  const again = await packageService({ servicePath: dir })
  assert.deepEqual(again.artifacts.map((a) => a.sha256), first.artifacts.map((a) => a.sha256))
  for (const a of again.artifacts.filter((x) => x.name !== 'fn.zip')) assert.equal(inode(a.name), before[a.name], `${a.name} reused`)

  fs.appendFileSync(path.join(dir, 'src', 'beta', 'handler.js'), '\n// changed\n')
  const time = new Date(Date.now() + 5000)
  fs.utimesSync(path.join(dir, 'src', 'gamma', 'handler.js'), time, time)
  const third = await packageService({ servicePath: dir })
  const sha = (r, n) => r.artifacts.find((a) => a.name === n).sha256
  assert.notEqual(sha(third, 'beta.zip'), sha(first, 'beta.zip'), 'changed content, new zip')
  assert.notEqual(inode('gamma.zip'), before['gamma.zip'], 'touched input, zip written again')
  assert.equal(sha(third, 'gamma.zip'), sha(first, 'gamma.zip'), 'with the same bytes')
  assert.equal(inode('alpha.zip'), before['alpha.zip'], 'untouched, reused')

  // The rebuilt zips took the unchanged files' compressed bytes from the previous package: they are
  // the bytes a package from scratch writes.
  fs.rmSync(path.join(dir, '.serverless'), { recursive: true })
  const scratch = await packageService({ servicePath: dir })
  assert.deepEqual(scratch.artifacts.map((a) => a.sha256), third.artifacts.map((a) => a.sha256))
})
