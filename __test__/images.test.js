'use strict'
// Container-image functions against the local emulator (__test__/fixtures/images). There is no Docker
// engine here: the `docker` slsx runs is a FAKE Docker CLI, __test__/fixtures/fake-docker/docker (a
// Node.js script), found first on PATH (or named by SLSX_DOCKER). It records every call with its argv,
// stdin and cwd, gives each build a digest from its Dockerfile and build args, refuses pushes until a
// `login` got a password on stdin, and puts what it pushes into moto's ECR (as a real push puts it in
// the registry), so that Lambda can find the image by digest.
//
// What the emulator needed, in scripts/moto_server.py: moto 5.2.5 drops PackageType and ImageConfig of
// an AWS::Lambda::Function made by CloudFormation (patched there), and by default it stubs ECR, making
// an image function's CodeSha256 the SHA-256 of the URI text instead of the image digest (the server
// runs with MOTO_LAMBDA_STUB_ECR=false, so the image must exist in moto's ECR, as in Lambda). moto's
// UpdateFunctionConfiguration ignores ImageConfig (not exercised here: nothing changes it).
//
// The native addon's child processes inherit the Node process's environment, so PATH, SLSX_DOCKER and
// FAKE_DOCKER_* are set on process.env around each call and restored afterwards.

const { test, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const {
  ECRClient,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  PutImageCommand,
} = require('@aws-sdk/client-ecr')
const { GetFunctionCommand } = require('@aws-sdk/client-lambda')
const { DescribeStacksCommand, GetTemplateCommand } = require('@aws-sdk/client-cloudformation')
const { ListObjectsV2Command } = require('@aws-sdk/client-s3')

const { deploy, deployFunction } = require('..')
const { clients, copyService, resetEmulator, withEnv } = require('./helpers')

const aws = clients()
const ecr = new ECRClient({ endpoint: process.env.AWS_ENDPOINT_URL, region: 'us-east-1' })
beforeEach(resetEmulator)

const FIXTURE = path.join(__dirname, 'fixtures', 'images')
const FAKE_DOCKER_DIR = path.join(__dirname, 'fixtures', 'fake-docker')
const FAKE_DOCKER = path.join(FAKE_DOCKER_DIR, 'docker')
const REPO = 'serverless-images-dev'
const STACK = 'images-dev'

/** PATH without any directory holding a `docker` (the machine has a real CLI, without an engine). */
function pathWithoutDocker() {
  return process.env.PATH.split(path.delimiter)
    .filter((d) => d && !fs.existsSync(path.join(d, 'docker')))
    .join(path.delimiter)
}

/** A fresh state directory and call log for the fake CLI. */
function fakeDocker() {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-docker-'))
  const log = path.join(state, 'calls.jsonl')
  return {
    env: { FAKE_DOCKER_STATE: state, FAKE_DOCKER_LOG: log },
    calls() {
      if (!fs.existsSync(log)) return []
      return fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    },
    /** The digest the fake gave a tag. */
    digest(tag) {
      return JSON.parse(fs.readFileSync(path.join(state, 'images.json'), 'utf8'))[tag]
    },
  }
}


/** The fake first on PATH, no SLSX_DOCKER. */
function onPath(docker, extra = {}) {
  return { ...docker.env, PATH: `${FAKE_DOCKER_DIR}${path.delimiter}${process.env.PATH}`, SLSX_DOCKER: undefined, FAKE_DOCKER_FAIL: undefined, ...extra }
}

async function ecrPassword() {
  const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}))
  const decoded = Buffer.from(authorizationData[0].authorizationToken, 'base64').toString('utf8')
  const password = decoded.slice(decoded.indexOf(':') + 1)
  assert.ok(decoded.startsWith('AWS:') && password.length > 0, `an ECR token is AWS:<password>: ${decoded}`)
  return { password, proxyEndpoint: authorizationData[0].proxyEndpoint }
}

async function repositoryUri() {
  const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [REPO] }))
  return repositories[0].repositoryUri
}

async function template() {
  const { TemplateBody } = await aws.cfn.send(new GetTemplateCommand({ StackName: STACK }))
  return JSON.parse(TemplateBody)
}

async function stackSnapshot(bucket) {
  const { Stacks } = await aws.cfn.send(new DescribeStacksCommand({ StackName: STACK }))
  const { Contents = [] } = await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket }))
  return {
    status: Stacks[0].StackStatus,
    updated: String(Stacks[0].LastUpdatedTime),
    template: await template(),
    objects: Contents.map((o) => o.Key).sort(),
  }
}

async function stackExists() {
  try {
    await aws.cfn.send(new DescribeStacksCommand({ StackName: STACK }))
    return true
  } catch (e) {
    if (/does not exist/.test(e.message)) return false
    throw e
  }
}

function expectedBuild(dir, name) {
  return name === 'app'
    ? [
        'build',
        '-t',
        `${REPO}:app`,
        '-f',
        path.join(dir, 'app', 'Dockerfile.lambda'),
        '--build-arg',
        'NODE_ENV=production',
        '--cache-from',
        'some/cache:latest',
        '--label',
        'x=y',
        './app',
        '--platform=linux/amd64',
        '--provenance=false',
      ]
    : ['build', '-t', `${REPO}:worker`, '-f', path.join(dir, 'worker', 'Dockerfile'), './worker']
}

/** The build argv, after checking it names the Dockerfile by an absolute, normalized path (as osls). */
function normalizedBuild(argv) {
  const f = argv.indexOf('-f')
  assert.ok(path.isAbsolute(argv[f + 1]), `-f names the Dockerfile by an absolute path: ${argv[f + 1]}`)
  assert.equal(argv[f + 1], path.normalize(argv[f + 1]), 'the Dockerfile path is normalized')
  return argv
}

test('image functions: built with the docker CLI once per image, pushed after a login on stdin, deployed by digest; deploy function compares digests', async () => {
  const dir = copyService(FIXTURE)
  const docker = fakeDocker()
  const r = await withEnv(onPath(docker), () => deploy({ servicePath: dir }))
  assert.equal(r.stackStatus, 'UPDATE_COMPLETE')

  const repoUri = await repositoryUri()
  assert.equal(repoUri, `123456789012.dkr.ecr.us-east-1.amazonaws.com/${REPO}`)
  const { password, proxyEndpoint } = await ecrPassword()
  const calls = docker.calls()
  for (const c of calls.filter((c) => c.argv[0] !== '--version')) {
    assert.equal(c.cwd, dir, `docker runs in the service directory: ${c.argv.join(' ')}`)
  }

  // The CLI is checked first; each image is built once (app serves two functions), tagged, pushed.
  assert.deepEqual(calls[0].argv, ['--version'])
  assert.equal(calls.filter((c) => c.argv[0] === '--version').length, 1)
  const builds = calls.filter((c) => c.argv[0] === 'build')
  assert.deepEqual(builds.map((c) => c.argv[2]).sort(), [`${REPO}:app`, `${REPO}:worker`], 'one build per image, app once')
  const logins = calls.map((c, i) => [c, i]).filter(([c]) => c.argv[0] === 'login')
  assert.equal(logins.length, 1, 'one login for every image')
  const [login, loginAt] = logins[0]
  assert.deepEqual(login.argv, ['login', '--username', 'AWS', '--password-stdin', proxyEndpoint])
  assert.equal(login.stdin, password, 'the password goes to the CLI on stdin')
  for (const c of calls) {
    assert.ok(!c.argv.some((a) => a.includes(password)), `no argv holds the ECR password: ${c.argv.join(' ')}`)
    if (c !== login) assert.equal(c.stdin, '', `only login gets stdin: ${c.argv.join(' ')}`)
  }
  assert.ok(
    calls.findIndex((c) => c.argv[0] === 'push') < loginAt,
    'a push was refused ("no basic auth credentials") before the login',
  )
  for (const name of ['app', 'worker']) {
    const own = calls
      .map((c, i) => ({ ...c, i }))
      .filter((c) => c.argv.some((a) => a === `${REPO}:${name}` || a === `${repoUri}:${name}` || a === `./${name}`))
    const steps = own.map((c) => c.argv[0])
    assert.equal(steps[0], 'build', `${name}: ${steps}`)
    assert.deepEqual(normalizedBuild(own[0].argv), expectedBuild(dir, name), `${name}: the exact build command`)
    assert.deepEqual(own[1].argv, ['tag', `${REPO}:${name}`, `${repoUri}:${name}`])
    const pushes = own.slice(2)
    assert.ok(pushes.every((c) => c.argv.join(' ') === `push ${repoUri}:${name}`), `${name}: then only pushes: ${steps}`)
    // A push before the login failed and was repeated after it; the last push came after the login.
    assert.ok(pushes.length === 1 || pushes.length === 2, `${name}: ${steps}`)
    assert.ok(pushes[pushes.length - 1].i > loginAt, `${name}: pushed after the login`)
    if (pushes[0].i < loginAt) assert.equal(pushes.length, 2, `${name}: the refused push was repeated`)
    else assert.equal(pushes.length, 1)
  }
  assert.ok(calls.filter((c) => c.argv[0] === 'push').length >= 3)

  // The repository: scan on push, lifecycle policy keeping 5 images; both images are in it.
  const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [REPO] }))
  assert.equal(repositories[0].imageScanningConfiguration.scanOnPush, true)
  const { lifecyclePolicyText } = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: REPO }))
  const policy = JSON.parse(lifecyclePolicyText)
  assert.equal(policy.rules.length, 1)
  assert.equal(policy.rules[0].rulePriority, 1)
  assert.deepEqual(policy.rules[0].selection, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 })
  assert.deepEqual(policy.rules[0].action, { type: 'expire' })
  const appDigest = docker.digest(`${repoUri}:app`)
  const workerDigest = docker.digest(`${repoUri}:worker`)
  assert.match(appDigest, /^[0-9a-f]{64}$/)
  assert.notEqual(appDigest, workerDigest)
  const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: REPO }))
  assert.deepEqual(imageDetails.map((d) => [d.imageTags[0], d.imageDigest]).sort(), [
    ['app', `sha256:${appDigest}`],
    ['worker', `sha256:${workerDigest}`],
  ])

  // The template: image functions by digest, cli with its ImageConfig; the zip function as usual.
  const resources = (await template()).Resources
  const appUri = `${repoUri}@sha256:${appDigest}`
  const workerUri = `${repoUri}@sha256:${workerDigest}`
  for (const [id, uri] of [['ApiLambdaFunction', appUri], ['CliLambdaFunction', appUri], ['WorkerLambdaFunction', workerUri]]) {
    const p = resources[id].Properties
    assert.equal(p.PackageType, 'Image', id)
    assert.deepEqual(p.Code, { ImageUri: uri }, id)
    assert.equal(p.Handler, undefined, id)
    assert.equal(p.Runtime, undefined, id)
  }
  assert.deepEqual(resources.CliLambdaFunction.Properties.ImageConfig, {
    Command: ['cli.handler'],
    EntryPoint: ['/lambda-entrypoint.sh'],
    WorkingDirectory: '/var/task',
  })
  assert.equal(resources.ApiLambdaFunction.Properties.ImageConfig, undefined)
  const zipped = resources.ZippedLambdaFunction.Properties
  assert.equal(zipped.PackageType, undefined)
  assert.equal(zipped.Handler, 'handler.hello')
  assert.equal(zipped.Runtime, 'nodejs20.x')
  assert.match(zipped.Code.S3Key, /^serverless\/images\/dev\/code-artifacts\/[0-9a-f]{64}\.zip$/)

  // Lambda has the functions, each running its image (CodeSha256 is the digest).
  for (const [name, uri, digest] of [['api', appUri, appDigest], ['cli', appUri, appDigest], ['worker', workerUri, workerDigest]]) {
    const fn = await aws.lambda.send(new GetFunctionCommand({ FunctionName: `images-dev-${name}` }))
    assert.equal(fn.Configuration.PackageType, 'Image', name)
    assert.equal(fn.Code.ImageUri, uri, name)
    assert.equal(fn.Configuration.CodeSha256, digest, name)
  }
  const cli = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'images-dev-cli' }))
  assert.deepEqual(cli.Configuration.ImageConfigResponse.ImageConfig, {
    Command: ['cli.handler'],
    EntryPoint: ['/lambda-entrypoint.sh'],
    WorkingDirectory: '/var/task',
  })
  const zip = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'images-dev-zipped' }))
  assert.equal(zip.Configuration.PackageType, 'Zip')

  // deploy function, nothing changed: the image is built again (same digest), nothing is sent.
  const before = docker.calls().length
  const same = await withEnv(onPath(docker), () => deployFunction({ servicePath: dir, functions: ['api'] }))
  assert.deepEqual(
    same.map((x) => [x.key, x.name, x.code, x.configuration, x.sha256]),
    [['api', 'images-dev-api', 'unchanged', 'unchanged', appDigest]],
  )
  const again = docker.calls().slice(before)
  assert.deepEqual(
    again.map((c) => c.argv[0]),
    ['--version', 'build', 'tag', 'push'],
    'only app is built; the login is remembered by the CLI',
  )
  assert.deepEqual(normalizedBuild(again[1].argv), expectedBuild(dir, 'app'))

  // A changed Dockerfile: a new digest, sent as the function's ImageUri.
  fs.appendFileSync(path.join(dir, 'app', 'Dockerfile.lambda'), 'ENV CHANGED=1\n')
  const [updated] = await withEnv(onPath(docker), () => deployFunction({ servicePath: dir, functions: ['api'] }))
  const newDigest = docker.digest(`${repoUri}:app`)
  assert.notEqual(newDigest, appDigest)
  assert.equal(updated.code, 'updated')
  assert.equal(updated.sha256, newDigest)
  const fn = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'images-dev-api' }))
  assert.equal(fn.Code.ImageUri, `${repoUri}@sha256:${newDigest}`)
  assert.equal(fn.Configuration.CodeSha256, newDigest)
  // cli was not asked for: it still runs the old image.
  const cliAfter = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'images-dev-cli' }))
  assert.equal(cliAfter.Code.ImageUri, appUri)

  // Unchanged again, but forced.
  const [forced] = await withEnv(onPath(docker), () => deployFunction({ servicePath: dir, functions: ['api'], force: true }))
  assert.equal(forced.code, 'updated')
  assert.equal(forced.sha256, newDigest)

  // cli with its ImageConfig as deployed: only the code moves.
  const [cliUpdated] = await withEnv(onPath(docker), () => deployFunction({ servicePath: dir, functions: ['cli'] }))
  assert.deepEqual([cliUpdated.code, cliUpdated.configuration], ['updated', 'unchanged'])
  const cliNow = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'images-dev-cli' }))
  assert.equal(cliNow.Code.ImageUri, `${repoUri}@sha256:${newDigest}`)
})

test('SLSX_DOCKER names the docker CLI when none is on PATH', async () => {
  const dir = copyService(FIXTURE)
  const docker = fakeDocker()
  const r = await withEnv({ ...docker.env, PATH: pathWithoutDocker(), SLSX_DOCKER: FAKE_DOCKER, FAKE_DOCKER_FAIL: undefined }, () =>
    deploy({ servicePath: dir }),
  )
  assert.equal(r.stackStatus, 'UPDATE_COMPLETE')
  const calls = docker.calls()
  assert.deepEqual(calls[0].argv, ['--version'])
  assert.deepEqual(calls.filter((c) => c.argv[0] === 'build').map((c) => c.argv[2]).sort(), [`${REPO}:app`, `${REPO}:worker`])
  assert.equal(calls.filter((c) => c.argv[0] === 'login').length, 1)
  const repoUri = await repositoryUri()
  const fn = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'images-dev-worker' }))
  assert.equal(fn.Code.ImageUri, `${repoUri}@sha256:${docker.digest(`${repoUri}:worker`)}`)
})

test('an ECR tag URI is resolved to its digest with DescribeImages, without building', async () => {
  const registry = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'base-images' }))
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7023, digest: `sha256:${'1'.repeat(64)}` },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 32654, digest: `sha256:${'2'.repeat(64)}` }],
  })
  const { image } = await ecr.send(new PutImageCommand({ repositoryName: 'base-images', imageTag: 'v1', imageManifest: manifest }))
  const digest = image.imageId.imageDigest
  assert.match(digest, /^sha256:[0-9a-f]{64}$/)

  const dir = copyService(FIXTURE)
  const yml = path.join(dir, 'serverless.yml')
  const source = fs.readFileSync(yml, 'utf8')
  fs.writeFileSync(yml, source.replace('  worker:\n    image: worker\n', `  worker:\n    image: ${registry}/base-images:v1\n`))
  assert.notEqual(fs.readFileSync(yml, 'utf8'), source)
  const docker = fakeDocker()
  await withEnv(onPath(docker), () => deploy({ servicePath: dir }))

  const resources = (await template()).Resources
  assert.deepEqual(resources.WorkerLambdaFunction.Properties.Code, { ImageUri: `${registry}/base-images@${digest}` })
  assert.equal(resources.WorkerLambdaFunction.Properties.PackageType, 'Image')
  const fn = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'images-dev-worker' }))
  assert.equal(fn.Configuration.CodeSha256, digest.slice('sha256:'.length))
  // Only app was built: the worker image came from the registry.
  assert.deepEqual(docker.calls().filter((c) => c.argv[0] === 'build').map((c) => c.argv[2]), [`${REPO}:app`])
})

test('without a docker CLI the deploy stops before any stack exists', async () => {
  const dir = copyService(FIXTURE)
  const docker = fakeDocker()
  await withEnv({ ...docker.env, PATH: pathWithoutDocker(), SLSX_DOCKER: undefined }, () =>
    assert.rejects(deploy({ servicePath: dir }), (err) => {
      assert.equal(err.code, 'DOCKER_COMMAND_NOT_AVAILABLE')
      assert.match(err.message, /Could not find Docker installation/)
      return true
    }),
  )
  assert.equal(await stackExists(), false)
  assert.deepEqual(docker.calls(), [])
  const { repositories = [] } = await ecr.send(new DescribeRepositoriesCommand({}))
  assert.deepEqual(repositories, [], 'no repository was created either')
})

test('a missing Dockerfile, a failed build and a refused push stop the deploy before the stack changes', async () => {
  const dir = copyService(FIXTURE)
  const first = fakeDocker()
  const r = await withEnv(onPath(first), () => deploy({ servicePath: dir }))
  const snapshot = await stackSnapshot(r.bucket)
  fs.appendFileSync(path.join(dir, 'app', 'Dockerfile.lambda'), 'ENV CHANGED=1\n')
  fs.appendFileSync(path.join(dir, 'handler.js'), '\n// changed\n')

  // The build fails: its output is in the error.
  const failing = fakeDocker()
  await withEnv(onPath(failing, { FAKE_DOCKER_FAIL: 'build' }), () =>
    assert.rejects(deploy({ servicePath: dir }), (err) => {
      assert.equal(err.code, 'DOCKER_BUILD_ERROR')
      assert.match(err.message, /Encountered error during executing: docker build -t serverless-images-dev:(app|worker) -f /)
      assert.match(err.message, /fake build failure: npm ci exited with 1/)
      assert.match(err.message, /failed to solve/)
      return true
    }),
  )
  assert.ok(!failing.calls().some((c) => ['tag', 'push', 'login'].includes(c.argv[0])), 'nothing is tagged or pushed after a failed build')
  assert.deepEqual(await stackSnapshot(r.bucket), snapshot)

  // The push is denied (not an auth problem: no login).
  const denied = fakeDocker()
  await withEnv(onPath(denied, { FAKE_DOCKER_FAIL: 'push' }), () =>
    assert.rejects(deploy({ servicePath: dir }), (err) => {
      assert.equal(err.code, 'DOCKER_PUSH_ERROR')
      assert.match(err.message, /push 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/serverless-images-dev:(app|worker)/)
      assert.match(err.message, /denied: requested access to the resource is denied/)
      return true
    }),
  )
  assert.ok(!denied.calls().some((c) => c.argv[0] === 'login'))
  assert.deepEqual(await stackSnapshot(r.bucket), snapshot)

  // A Dockerfile that is not there: nothing is run but `docker --version`.
  const yml = path.join(dir, 'serverless.yml')
  fs.writeFileSync(yml, fs.readFileSync(yml, 'utf8').replace('file: Dockerfile.lambda', 'file: Dockerfile.missing'))
  const missing = fakeDocker()
  await withEnv(onPath(missing), () =>
    assert.rejects(deploy({ servicePath: dir }), (err) => {
      assert.equal(err.code, 'DOCKERFILE_NOT_AVAILABLE_ERROR')
      assert.match(err.message, /Could not access Dockerfile under path: ".*Dockerfile\.missing"/)
      return true
    }),
  )
  assert.deepEqual(missing.calls().map((c) => c.argv), [['--version']])
  assert.deepEqual(await stackSnapshot(r.bucket), snapshot)
})

test('deploy function refuses to switch a function between zip and image', async () => {
  const dir = copyService(FIXTURE)
  const docker = fakeDocker()
  await withEnv(onPath(docker), () => deploy({ servicePath: dir }))
  const yml = path.join(dir, 'serverless.yml')
  const source = fs.readFileSync(yml, 'utf8')

  // The zip function made an image one.
  fs.writeFileSync(yml, source.replace('  zipped:\n    handler: handler.hello\n', '  zipped:\n    image: worker\n'))
  const before = docker.calls().length
  await withEnv(onPath(docker), () =>
    assert.rejects(deployFunction({ servicePath: dir, functions: ['zipped'] }), (err) => {
      assert.equal(err.code, 'DEPLOY_FUNCTION_CHANGE_BETWEEN_HANDLER_AND_IMAGE_ERROR')
      assert.match(err.message, /"zipped" you want to update with image was previously packaged as zip file/)
      return true
    }),
  )
  assert.equal(docker.calls().length, before, 'refused before anything is built')
  assert.equal((await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'images-dev-zipped' }))).Configuration.PackageType, 'Zip')

  // And an image function made a zip one.
  fs.writeFileSync(yml, source.replace('  api:\n    image: app\n', '  api:\n    handler: handler.hello\n'))
  await withEnv(onPath(docker), () =>
    assert.rejects(deployFunction({ servicePath: dir, functions: ['api'] }), (err) => {
      assert.equal(err.code, 'DEPLOY_FUNCTION_CHANGE_BETWEEN_HANDLER_AND_IMAGE_ERROR')
      assert.match(err.message, /"api" you want to update with handler was previously packaged as an image/)
      return true
    }),
  )
})
