'use strict'
// Serverless v3 plugins under slsx (issue 14): real plugins, pinned and installed from the registry
// into crates/slsx-core/tests/fixtures/plugin-*/ at test time (scripts/plugins-install.sh), run by
// slsx's plugin host; each fixture's package must equal what osls 4.3.1 (or Serverless v3, see the
// fixture's golden.tool) packages with the same plugin (goldens by scripts/osls-plugin-golden.sh):
// the update and create templates (normalized as for every golden) and the entries of every zip.
// plugin-recorder, a local plugin recording each hook it sees, proves the event order.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const slsx = require('../lib/index.js')
const { root, resetEmulator, clients, withEnv, sha256Base64 } = require('./helpers')
const { ListVersionsByFunctionCommand, GetFunctionCommand } = require('@aws-sdk/client-lambda')
const { ListObjectsV2Command } = require('@aws-sdk/client-s3')
const { DescribeStackResourcesCommand } = require('@aws-sdk/client-cloudformation')

const FIXTURES = path.join(root, 'crates', 'slsx-core', 'tests', 'fixtures')
const pluginCases = fs
  .readdirSync(FIXTURES)
  .filter((n) => n.startsWith('plugin-') && fs.existsSync(path.join(FIXTURES, n, 'golden', 'cloudformation-template-update-stack.json')))
  .sort()

test.before(() => {
  const r = spawnSync('bash', [path.join(root, 'scripts', 'plugins-install.sh')], { encoding: 'utf8' })
  assert.equal(r.status, 0, `plugins-install.sh failed:\n${r.stdout}\n${r.stderr}`)
})

/** A copy of a fixture (its installed node_modules too), without its goldens. */
function copyFixture(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `slsx-${name}-`))
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true, verbatimSymlinks: true, filter: (src) => path.basename(src) !== 'golden' })
  return dir
}

/**
 * A copy of plugin-recorder whose `plugins:` lists `entry` instead of the recorder; `files` are local
 * plugins to write into it (`{ 'plugins/x.js': source }`). Returns the copy and its serverless.yml.
 */
function serviceWithPlugin(entry, files = {}) {
  const dir = copyFixture('plugin-recorder')
  for (const [file, source] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), source)
  const yml = path.join(dir, 'serverless.yml')
  fs.writeFileSync(yml, fs.readFileSync(yml, 'utf8').replace('- ./plugins/recorder.js', `- ${entry}`))
  return { dir, yml }
}

/** The CLI args of the golden (`golden.args`), as package options. */
function goldenOptions(name) {
  const file = path.join(FIXTURES, name, 'golden.args')
  const words = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split(/\s+/) : ['--stage', 'dev', '--region', 'us-east-1']
  const value = (flag) => (words.includes(flag) ? words[words.indexOf(flag) + 1] : undefined)
  return { stage: value('--stage'), region: value('--region') }
}

/**
 * A JSON file normalized by scripts/normalize-template.js (the rules every golden was made with),
 * then by the plugin goldens' own rules (scripts/osls-plugin-golden.sh): the artifact directory,
 * version IDs and REST deployment IDs inside any string or key (split-stacks' nested outputs, its
 * template URLs).
 */
function normalized(file, serviceDir) {
  const out = path.join(os.tmpdir(), `slsx-norm-${process.pid}-${path.basename(file)}`)
  const args = serviceDir ? ['--service-dir', serviceDir] : []
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'normalize-template.js'), ...args, file, out], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return pluginRules(JSON.parse(fs.readFileSync(out, 'utf8')))
}

function pluginRules(value) {
  const fix = (s) =>
    s
      .replace(/\d+-\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<ARTIFACT_DIR>')
      .replace(/LambdaVersion[A-Za-z0-9]{20,}/g, 'LambdaVersion__HASH__')
      .replace(/ApiGatewayDeployment\d{10,}/g, 'ApiGatewayDeployment__INSTANCE__')
  if (typeof value === 'string') return fix(value)
  if (Array.isArray(value)) return value.map(pluginRules)
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [fix(k), pluginRules(v)]))
  return value
}

function zipEntries(dir) {
  const out = path.join(os.tmpdir(), `slsx-zips-${process.pid}.json`)
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'zip-entries.js'), 'zips', dir, out], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  const zips = JSON.parse(fs.readFileSync(out, 'utf8'))
  delete zips['custom-resources.zip']
  return zips
}

for (const name of pluginCases) {
  test(`${name}: the package equals osls's with the same plugin`, async () => {
    const dir = copyFixture(name)
    const events = []
    const result = await slsx.packageService({ servicePath: dir, ...goldenOptions(name), onProgress: (e) => events.push(e) })
    // What slsx hashed (and names its S3 keys by) is what the plugins left on disk.
    for (const a of result.artifacts) assert.equal(sha256Base64(a.path), a.sha256, `${name}: ${a.name} hashed as written`)
    const out = path.join(dir, '.serverless')
    // Both templates, and the nested stacks' templates a plugin (split-stacks) wrote beside them.
    const goldenDir = path.join(FIXTURES, name, 'golden')
    const files = fs.readdirSync(goldenDir).filter((f) => f.startsWith('cloudformation-template-') && f.endsWith('.json'))
    for (const file of files) {
      const golden = pluginRules(JSON.parse(fs.readFileSync(path.join(goldenDir, file), 'utf8')))
      const nested = !/-(update|create)-stack\.json$/.test(file)
      assert.deepEqual(normalized(path.join(out, file), nested ? dir : undefined), golden, `${name}/${file}`)
    }
    const goldenZips = JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'golden', 'zips.json'), 'utf8'))
    delete goldenZips['custom-resources.zip']
    assert.deepEqual(sortedEntries(zipEntries(out)), sortedEntries(goldenZips), `${name}: zip entries`)
  })
}

/** Zip name -> entries; the names of zips slsx writes elsewhere (content-addressed keys) aside. */
function sortedEntries(zips) {
  return Object.values(zips)
    .map((entries) => [...entries].sort())
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
}

/** The hooks plugin-recorder saw running `run` (in `dir`, a fresh copy by default), as JSON lines. */
async function recordHooks(run, dir = copyFixture('plugin-recorder')) {
  const out = path.join(dir, 'hooks.jsonl')
  fs.rmSync(out, { force: true })
  process.env.RECORDER_OUT = out
  try {
    await run(dir)
  } finally {
    delete process.env.RECORDER_OUT
  }
  return fs
    .readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
}

function goldenHooks(file) {
  return fs
    .readFileSync(path.join(FIXTURES, 'plugin-recorder', 'golden', file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
}

test('package: every hook osls fires, in its order, each seeing the state osls shows there', async () => {
  const seen = await recordHooks((dir) => slsx.packageService({ servicePath: dir, stage: 'dev', region: 'us-east-1' }))
  assert.deepEqual(seen, goldenHooks('hooks-package.jsonl'))
})

test('deploy, deploy function and info (local endpoint): the hooks osls fires, in its order; a failure runs the error hooks', async () => {
  await resetEmulator()
  const dir = copyFixture('plugin-recorder')
  const opts = { servicePath: dir, stage: 'dev', region: 'us-east-1' }
  assert.deepEqual(await recordHooks(() => slsx.deploy(opts), dir), goldenHooks('hooks-deploy.jsonl'))
  assert.deepEqual(await recordHooks(() => slsx.deployFunction({ ...opts, functions: ['tick'] }), dir), goldenHooks('hooks-deploy-function.jsonl'))
  assert.deepEqual(await recordHooks(() => slsx.info(opts), dir), goldenHooks('hooks-info.jsonl'))
  const failed = await recordHooks(
    () => assert.rejects(slsx.deployFunction({ ...opts, functions: ['missing'] }), /"missing" doesn't exist/),
    dir,
  )
  assert.deepEqual(failed, goldenHooks('hooks-deploy-function-error.jsonl'))
})

test('serverless-prune-plugin (local endpoint): it prunes after every deploy through provider.request, and its own prune command runs from the CLI', async () => {
  await resetEmulator()
  const dir = copyFixture('plugin-prune')
  const opts = { servicePath: dir, stage: 'dev', region: 'us-east-1' }
  const { lambda } = clients()
  const versions = async () => {
    const r = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'plugin-prune-dev-hello' }))
    return r.Versions.map((v) => v.Version).filter((v) => v !== '$LATEST').map(Number).sort((a, b) => a - b)
  }
  for (let i = 1; i <= 4; i++) {
    fs.writeFileSync(path.join(dir, 'handler.js'), `'use strict'\nexports.handler = async () => ({ statusCode: 200, body: 'hello ${i}' })\n`)
    await slsx.deploy(opts)
  }
  // (moto publishes a version on most, not all, code changes: the newest two are kept, whichever.)
  const kept = await versions()
  assert.equal(kept.length, 2, 'custom.prune: automatic, number 2')
  assert.ok(kept[0] > 1, 'the oldest versions went')
  // `slsx prune -n 1` in the service directory: the plugin's command, its shortcut parsed.
  const cli = spawnSync(process.execPath, [path.join(root, 'bin', 'slsx.js'), 'prune', '-n', '1', '--stage', 'dev'], { cwd: dir, encoding: 'utf8', env: process.env })
  assert.equal(cli.status, 0, cli.stderr)
  assert.match(cli.stderr, /Pruning/i)
  assert.deepEqual(await versions(), [kept[1]])
})

test('plugins that act at deploy time (local endpoint): step-functions, warmup, split-stacks', async () => {
  await resetEmulator()
  const { lambda, s3, cfn: cloudformation } = clients()
  const opts = (dir) => ({ servicePath: dir, stage: 'dev', region: 'us-east-1' })

  // serverless-step-functions: the state machine deployed, its ARN an output of the stack.
  const sf = await slsx.deploy(opts(copyFixture('plugin-step-functions')))
  const arn = sf.outputs.GreeterDashdevArn
  assert.match(arn, /^arn:aws:states:us-east-1:\d+:stateMachine:greeter-dev$/)
  const machines = await cloudformation.send(new DescribeStackResourcesCommand({ StackName: 'plugin-step-functions-dev' }))
  assert.ok(machines.StackResources.some((r) => r.ResourceType === 'AWS::StepFunctions::StateMachine' && r.ResourceStatus.endsWith('COMPLETE')))

  // serverless-plugin-warmup: the warmer function it adds (and the handler it writes) deployed.
  await slsx.deploy(opts(copyFixture('plugin-warmup')))
  const warmer = await lambda.send(new GetFunctionCommand({ FunctionName: 'plugin-warmup-dev-warmup-plugin-default' }))
  assert.equal(warmer.Configuration.Handler, '.warmup/default/index.warmUp')

  // serverless-plugin-split-stacks: nested stacks, their templates uploaded (by the plugin, at
  // uploadArtifacts) beside the compiled template, and the code they deploy kept by the cleanup.
  // (No http event here: moto cannot deploy a REST API whose methods are in a nested stack.)
  const dir = copyFixture('plugin-split-stacks')
  const yml = path.join(dir, 'serverless.yml')
  fs.writeFileSync(yml, fs.readFileSync(yml, 'utf8').replace(/\n    events:\n      - http: GET \/three\n/, '\n'))
  const split = await slsx.deploy(opts(dir))
  const nested = await cloudformation.send(new DescribeStackResourcesCommand({ StackName: 'plugin-split-stacks-dev' }))
  assert.deepEqual(nested.StackResources.filter((r) => r.ResourceType === 'AWS::CloudFormation::Stack').map((r) => r.LogicalResourceId).sort(), ['OneNestedStack', 'ThreeNestedStack', 'TwoNestedStack'])
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: split.bucket, Prefix: 'serverless/plugin-split-stacks/dev/' }))
  const keys = listed.Contents.map((o) => o.Key)
  for (const n of ['One', 'Two', 'Three']) assert.ok(keys.includes(`${split.deploymentDir}/cloudformation-template-${n}-nested-stack.json`), `${n} nested template uploaded`)
  for (const a of split.artifacts) assert.ok(keys.includes(a.s3Key), `${a.s3Key} kept by the cleanup`)
})

test('a listed plugin that is not installed stops everything with PLUGIN_NOT_FOUND, naming it', async () => {
  const { dir } = serviceWithPlugin('serverless-not-installed-anywhere')
  await assert.rejects(slsx.deploy({ servicePath: dir, stage: 'dev', region: 'us-east-1' }), (err) => {
    assert.equal(err.code, 'PLUGIN_NOT_FOUND')
    assert.match(err.message, /"serverless-not-installed-anywhere" not found/)
    assert.match(err.message, /npm install --save-dev serverless-not-installed-anywhere/)
    return true
  })
  assert.equal(fs.existsSync(path.join(dir, '.serverless')), false, 'nothing was packaged')
})

test('loading as osls: { localPath, modules }, the legacy plugins folder, ESM, the provider filter, asyncInit', async () => {
  const dir = copyFixture('plugin-recorder')
  fs.mkdirSync(path.join(dir, 'my_plugins'))
  const adds = (name) => `serverless.service.provider.environment = { ...(serverless.service.provider.environment || {}), ${name}: 'yes' }`
  fs.writeFileSync(path.join(dir, 'my_plugins', 'legacy-one.js'), `module.exports = class LegacyOne { constructor(serverless) { ${adds('LEGACY')} } }\n`)
  fs.writeFileSync(path.join(dir, 'plugins', 'esm.mjs'), `export default class Esm { constructor(serverless) { ${adds('ESM')} } }\n`)
  fs.writeFileSync(
    path.join(dir, 'plugins', 'google.js'),
    `module.exports = class Google { constructor(serverless) { this.provider = 'google'; this.hooks = { initialize: () => { throw new Error('a google plugin ran') } } } }\n`,
  )
  fs.writeFileSync(
    path.join(dir, 'plugins', 'late.js'),
    `module.exports = class Late { constructor(serverless) { this.serverless = serverless } async asyncInit() { await new Promise((r) => setTimeout(r, 5)); ${adds('ASYNC_INIT').replace(/serverless\./g, 'this.serverless.')} } }\n`,
  )
  const yml = path.join(dir, 'serverless.yml')
  fs.writeFileSync(
    yml,
    fs
      .readFileSync(yml, 'utf8')
      .replace('plugins:\n  - ./plugins/recorder.js', 'plugins:\n  localPath: ./my_plugins\n  modules:\n    - legacy-one\n    - ./plugins/esm.mjs\n    - ./plugins/google.js\n    - ./plugins/late.js'),
  )
  const result = await slsx.packageService({ servicePath: dir })
  const template = JSON.parse(fs.readFileSync(path.join(dir, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8'))
  assert.deepEqual(template.Resources.TickLambdaFunction.Properties.Environment.Variables, { LEGACY: 'yes', ESM: 'yes', ASYNC_INIT: 'yes' })
  assert.equal(result.service, 'plugin-recorder')
})

test('a versioned plugin reference is refused as osls refuses it', async () => {
  const { dir } = serviceWithPlugin('serverless-esbuild@1')
  await assert.rejects(slsx.packageService({ servicePath: dir }), { code: 'INVALID_PLUGIN_REFERENCE' })
})

test("a hook that throws stops the command with the plugin's name, message and code", async () => {
  const { dir } = serviceWithPlugin('./plugins/failing.js', {
    'plugins/failing.js': `'use strict'
class Failing {
  constructor(serverless) {
    this.hooks = {
      'before:package:compileEvents': () => {
        throw new serverless.classes.Error('the events are not to my liking', 'FAILING_PLUGIN_REFUSED')
      },
    }
  }
}
module.exports = Failing
`,
  })
  await assert.rejects(slsx.packageService({ servicePath: dir }), (err) => {
    assert.equal(err.code, 'FAILING_PLUGIN_REFUSED')
    assert.equal(err.plugin, './plugins/failing.js')
    assert.equal(err.hook, 'before:package:compileEvents')
    assert.match(err.message, /the events are not to my liking/)
    return true
  })
})

test("a plugin's configurationVariablesSources resolve ${source:address}, with resolveVariable; its constructor saw them unresolved", async () => {
  const { dir, yml } = serviceWithPlugin('./plugins/sources.js', {
    'plugins/sources.js': `'use strict'
class Sources {
  constructor(serverless) {
    this.seen = serverless.service.custom.greeting
    process.env.SLSX_TEST_SEEN = this.seen
    this.configurationVariablesSources = {
      greet: {
        async resolve({ address, params, resolveVariable }) {
          const service = await resolveVariable('self:service')
          return { value: \`hello \${address} from \${service}\${params.length ? ' ' + params.join('+') : ''}\` }
        },
      },
    }
    this.hooks = {}
  }
}
module.exports = Sources
`,
  })
  fs.appendFileSync(yml, '\ncustom:\n  greeting: ${greet:world}\n  twice: ${greet(a, b):there}\n')
  const config = await slsx.printConfig({ servicePath: dir })
  assert.equal(config.custom.greeting, 'hello world from plugin-recorder')
  assert.equal(config.custom.twice, 'hello there from plugin-recorder a+b')
  assert.equal(process.env.SLSX_TEST_SEEN, '${greet:world}', 'as in osls, the constructor runs before the plugin sources resolve')
  delete process.env.SLSX_TEST_SEEN
})

test("a plugin's own SDK clients get the deploy's credentials (AWS_<STAGE>_* first); its output sections reach the result", async () => {
  const { dir } = serviceWithPlugin('./plugins/identity.js', {
    'plugins/identity.js': `'use strict'
class Identity {
  constructor(serverless) {
    this.hooks = {
      initialize: async () => {
        const config = await serverless.getProvider('aws').getAwsSdkV3Config()
        const c = await config.credentials()
        const v2 = serverless.getProvider('aws').getCredentials().credentials
        serverless.addServiceOutputSection('identity', [\`key \${c.accessKeyId}\`, \`region \${config.region}\`, \`v2 key \${v2.accessKeyId}\`, \`service region \${serverless.service.provider.region}\`])
      },
    }
  }
}
module.exports = Identity
`,
  })
  const result = await withEnv({ AWS_DEV_ACCESS_KEY_ID: 'STAGEKEY', AWS_DEV_SECRET_ACCESS_KEY: 'stagesecret' }, () =>
    slsx.packageService({ servicePath: dir, stage: 'dev', region: 'eu-west-1' }),
  )
  // As osls: provider.region is the region deployed to (the CLI's), whatever the file says.
  assert.deepEqual(result.pluginOutputs, { identity: ['key STAGEKEY', 'region eu-west-1', 'v2 key STAGEKEY', 'service region eu-west-1'] })
})

test('a property a plugin defines in the schema is validated, not refused', async () => {
  const { dir, yml } = serviceWithPlugin('./plugins/schema.js', {
    'plugins/schema.js': `'use strict'
class Schema {
  constructor(serverless) {
    serverless.configSchemaHandler.defineTopLevelProperty('widgets', { type: 'object', properties: { count: { type: 'number' } }, additionalProperties: false })
    serverless.configSchemaHandler.defineFunctionProperties('aws', { properties: { warm: { type: 'boolean' } } })
    this.hooks = {}
  }
}
module.exports = Schema
`,
  })
  const base = fs.readFileSync(yml, 'utf8').replace('handler: handler.handler', 'handler: handler.handler\n    warm: "true"')
  fs.writeFileSync(yml, `${base}\nwidgets:\n  count: "3"\n`)
  const config = await slsx.printConfig({ servicePath: dir })
  assert.equal(config.widgets.count, 3, 'converted by the plugin schema as osls would')
  assert.equal(config.functions.tick.warm, true)
  fs.writeFileSync(yml, `${base}\nwidgets:\n  colour: red\n`)
  await assert.rejects(slsx.printConfig({ servicePath: dir }), (err) => /widgets/.test(err.message))
})
