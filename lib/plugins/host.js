'use strict'
// The plugin host: loads a service's plugins, constructs them with the `serverless` object, and runs
// their hooks when the engine reaches each lifecycle event (crates/slsx-core/src/lifecycle/). The
// engine sends the state (the service, the templates) as JSON before the hooks of an event and takes
// back what they left; a hook's failure goes back with the plugin, the hook, the message and the code.
// docs/lifecycle.md describes the events of every command.

const path = require('node:path')

const native = require('../../index.js')
const { loadPluginClasses } = require('./load')
const { makeServerless, reconcile, serviceJson } = require('./serverless')
const { PluginError } = require('./errors')
const { makeWriters } = require('./writers')
const { builtInPlugins } = require('./builtins')

/** Thrown by `spawn(..., { terminateLifecycleAfterExecution: true })`: ends the current chain. */
class TerminateHookChain extends Error {}

/** The built-in commands (and the internal ones they spawn): a plugin may not spawn them. */
const BUILT_IN = new Set(['package', 'deploy', 'deploy:function', 'info', 'print', 'aws:package:finalize', 'aws:deploy:deploy', 'aws:deploy:finalize'])

/**
 * Loads and constructs the plugins of a service. `section` is its `plugins:` value; `opts` the
 * options of the command (`servicePath`, `stage` …); `commands` the CLI command words.
 */
async function createHost({ opts, section, commands, onEvent }) {
  const serviceDir = path.resolve(opts.servicePath || process.cwd())
  const { classes } = await loadPluginClasses(section, serviceDir)
  const loaded = await native.pluginServiceState(opts)

  let ownCredentials
  // The CLI options plugins see (`new Plugin(serverless, options)`): stage and region among them.
  const cliOptions = { ...(opts.options || {}) }
  for (const key of ['stage', 'region']) if (opts[key]) cliOptions[key] = opts[key]
  if (opts.profile) cliOptions['aws-profile'] = opts.profile
  const hooks = new Map()
  const pluginCommands = {}
  const instances = []
  const host = {
    emit(level, message, plugin) {
      if (onEvent) onEvent({ kind: level, message, name: plugin })
      else if (level === 'text') process.stdout.write(message.endsWith('\n') ? message : `${message}\n`)
      else if (level !== 'info' && level !== 'debug') process.stderr.write(`${message}\n`)
    },
    namingContext: () => ({ service: serverless.service.service, stage: aws().getStage(), region: aws().getRegion(), provider: serverless.service.provider }),
    awsCall: (service, method, params) => awsCall(opts, aws(), serverless, service, method, params),
    deploymentBucket: async () => {
      const custom = serverless.service.provider.deploymentBucket
      if (typeof custom === 'string' && custom) return custom
      if (custom && typeof custom === 'object' && custom.name) return custom.name
      const stackName = aws().naming.getStackName()
      const r = await awsCall(opts, aws(), serverless, 'CloudFormation', 'describeStackResource', { StackName: stackName, LogicalResourceId: 'ServerlessDeploymentBucket' })
      return r.StackResourceDetail.PhysicalResourceId
    },
    credentials: () => ownCredentials || envCredentials(),
    credentialsProvider: () => async () => {
      const c = await deployCredentials()
      return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken || undefined, ...(c.expiration ? { expiration: new Date(c.expiration) } : {}) }
    },
    pluginManager: {
      plugins: instances,
      hooks: {},
      commands: pluginCommands,
      cliOptions,
      cliCommands: commands,
      spawn: (command, options) => spawn(command, options),
      getHooks: (events) => [].concat(events).flatMap((e) => (hooks.get(e) || []).map(({ plugin, fn }) => ({ pluginName: plugin, hook: fn }))),
      getPlugins: () => instances,
      addPlugin: (P) => construct(P, P.name),
    },
  }
  const configFile = loaded.service.serviceFilename
  const aws = () => serverless.getProvider('aws')
  const { serverless, definitions } = makeServerless({ serviceDir, configFile, commands, options: cliOptions, host })
  reconcile(serverless.service, loaded.service)

  /** The credentials a deploy of the service uses, resolved by the engine. */
  const deployCredentials = () => native.awsCredentials(aws().getRegion(), opts.profile || null, aws().getStage(), serverless.service.provider.profile || null)
  // `provider.getCredentials()` is synchronous: when the deploy's credentials are not the default
  // chain's (--aws-profile, AWS_<STAGE>_*, provider.profile), they are resolved now, so a plugin that
  // reads them acts as the identity that deploys.
  const stage = aws().getStage().toUpperCase()
  if (opts.profile || process.env[`AWS_${stage}_PROFILE`] || process.env[`AWS_${stage}_ACCESS_KEY_ID`] || serverless.service.provider.profile) {
    try {
      const c = await deployCredentials()
      ownCredentials = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken || undefined }
    } catch {
      // The engine reports a missing profile itself, when it first needs the credentials.
    }
  }
  serverless.configurationInput = configOf(serverless.service, loaded.injected)
  Object.defineProperty(serverless.service, 'initialServerlessConfig', { value: serverless.configurationInput, enumerable: false, writable: true })

  function construct(Plugin, name) {
    const writers = makeWriters(name, host)
    const instance = new Plugin(serverless, cliOptions, writers)
    let provider = instance.provider
    if (provider && typeof provider === 'object' && provider.constructor && provider.constructor.getProviderName) provider = provider.constructor.getProviderName()
    if (typeof provider === 'string' && provider !== 'aws') return null
    if (instances.some((p) => p instanceof Plugin && p !== instance)) {
      throw new PluginError('Encountered duplicate plugin definition. Please remove duplicate plugins from your configuration.', 'DUPLICATE_PLUGIN_DEFINITION')
    }
    if (!instances.includes(instance)) instances.push(instance)
    for (const [event, fn] of Object.entries(instance.hooks || {})) {
      if (!hooks.has(event)) hooks.set(event, [])
      hooks.get(event).push({ plugin: name, fn })
      host.pluginManager.hooks[event] = hooks.get(event).map(({ plugin, fn: hook }) => ({ pluginName: plugin, hook }))
    }
    mergeCommands(pluginCommands, instance.commands || {}, name)
    addSources(instance, name)
    return instance
  }

  /** The plugins' variable sources by name (`configurationVariablesSources`), as osls checks them. */
  const sources = new Map()
  function addSources(instance, name) {
    const defined = instance.configurationVariablesSources
    if (defined == null) return
    if (typeof defined !== 'object') throw new PluginError(`Invalid "configurationVariablesSources" configuration on "${name}", expected object`, 'INVALID_VARIABLE_SOURCES_CONFIGURATION')
    for (const [source, config] of Object.entries(defined)) {
      if (sources.has(source) || ['self', 'opt', 'env', 'sls', 'param', 'file', 'strToBool', 'aws', 'cf', 's3', 'ssm'].includes(source)) {
        throw new PluginError(`Cannot add "${source}" configuration variable source (through "${name}" plugin) as resolution rules for this source name are already configured`, 'DUPLICATE_VARIABLE_SOURCE_CONFIGURATION')
      }
      if (!config || typeof config.resolve !== 'function') {
        throw new PluginError(`Invalid "configurationVariablesSources.${source}.resolve" value on "${name}", expected function`, 'INVALID_VARIABLE_SOURCE_RESOLVER_CONFIGURATION')
      }
      sources.set(source, config)
    }
  }

  // Built-in plugins come first in osls's order (stand-ins for what other plugins read of them).
  instances.push(...builtInPlugins(serverless))
  for (const { name, Plugin } of classes) construct(Plugin, name)
  for (const instance of instances) if (typeof instance.asyncInit === 'function') await instance.asyncInit()

  /** Runs every hook of one name; `arg` goes to `error` hooks. */
  async function runHooks(name, arg) {
    for (const { plugin, fn } of hooks.get(name) || []) {
      try {
        await fn(arg)
      } catch (err) {
        // A spawned command's failure is already the plugin's.
        if (err instanceof TerminateHookChain || (err && err.pluginFailure)) throw err
        if (process.env.SLSX_DEBUG) console.error(err && err.stack)
        const failure = new Error(JSON.stringify({ plugin, hook: name, message: err && err.message ? err.message : String(err), code: (err && err.code) || 'PLUGIN_ERROR' }))
        failure.pluginFailure = true
        throw failure
      }
    }
  }

  /** `pluginManager.spawn`: a plugin's own command, all its lifecycle events (plugins only). */
  async function spawn(command, options) {
    const words = typeof command === 'string' ? command.split(':') : command
    const key = words.join(':')
    if (BUILT_IN.has(key)) {
      throw new PluginError(`A plugin spawned "${key}": slsx runs built-in commands only from its own lifecycle`, 'PLUGIN_SPAWN_UNSUPPORTED')
    }
    const spec = findCommand(pluginCommands, words)
    if (!spec) throw new PluginError(`A plugin spawned "${key}", which no plugin defines`, 'PLUGIN_COMMAND_NOT_FOUND')
    try {
      for (const event of spec.lifecycleEvents || []) {
        for (const phase of ['before:', '', 'after:']) await runHooks(`${phase}${key}:${event}`)
      }
    } catch (err) {
      if (!(err instanceof TerminateHookChain)) throw err
    }
    if (options && options.terminateLifecycleAfterExecution) throw new TerminateHookChain(key)
  }

  return {
    serverless,
    definitions,
    commands: pluginCommands,
    /** `${source:address}` of a plugin: its resolver's `{ value }`. */
    async resolveSource(name, api) {
      const result = await sources.get(name).resolve({ ...api, serviceDir, serverlessDir: serviceDir })
      return result && typeof result === 'object' && 'value' in result ? result.value : null
    },
    /** What the engine's options get: the hooks registered, the runner, the schema definitions. */
    binding() {
      return {
        hooks: [...hooks.keys()],
        schema: definitions,
        sources: [...sources.keys()],
        run: async ({ hook, state }) => {
          const s = JSON.parse(state)
          if (s.service) reconcile(serverless.service, s.service)
          if (s.serviceDir) serverless.serviceDir = s.serviceDir
          try {
            await runHooks(hook, hook === 'error' ? Object.assign(new Error(s.error.message), { code: s.error.code }) : undefined)
          } catch (e) {
            if (!(e instanceof TerminateHookChain)) throw e
          }
          return JSON.stringify({ service: serviceJson(serverless.service), serviceDir: serverless.serviceDir })
        },
      }
    },
    /** What plugins added with `serverless.addServiceOutputSection` (shown by the CLI after the summary). */
    outputSections: () => Object.fromEntries(serverless.serviceOutputs),
    /** The configuration the engine compiles: the service as the constructors left it. */
    config: () => configOf(serverless.service, loaded.injected),
    configFile,
    /** Runs a plugin's own command (`slsx prune`, `slsx offline`) from the CLI. */
    async runCommand(words) {
      const key = words.join(':')
      const spec = findCommand(pluginCommands, words)
      if (!spec) throw new PluginError(`Unknown command "${words.join(' ')}"`, 'UNKNOWN_COMMAND')
      await runHooks('initialize')
      for (const event of spec.lifecycleEvents || []) {
        for (const phase of ['before:', '', 'after:']) await runHooks(`${phase}${key}:${event}`)
      }
      await runHooks('finalize')
    },
  }
}

/** The service without what the engine injected and nobody changed: a configuration again. */
function configOf(service, injected) {
  const config = serviceJson(service)
  for (const [pointer, value] of injected) {
    const parts = pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    const last = parts.pop()
    let at = config
    for (const p of parts) at = at && typeof at === 'object' ? at[p] : undefined
    if (at && typeof at === 'object' && JSON.stringify(at[last]) === JSON.stringify(value)) delete at[last]
  }
  for (const key of ['serviceObject', 'pluginsData', 'serviceFilename']) delete config[key]
  for (const f of Object.values(config.functions || {})) {
    if (f && f.package && typeof f.package === 'object' && !Object.keys(f.package).length) delete f.package
  }
  if (config.package && !Object.keys(config.package).length) delete config.package
  return config
}

function findCommand(commands, words) {
  let spec = { commands }
  for (const w of words) {
    spec = spec.commands && spec.commands[w]
    if (!spec) return null
  }
  return spec
}

function mergeCommands(target, source, plugin) {
  for (const [name, spec] of Object.entries(source)) {
    const existing = target[name]
    target[name] = { ...(existing || {}), ...spec, plugin: existing ? existing.plugin : plugin }
    if (spec.commands || (existing && existing.commands)) {
      target[name].commands = { ...((existing && existing.commands) || {}) }
      mergeCommands(target[name].commands, spec.commands || {}, plugin)
    }
  }
}

function envCredentials() {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env
  return accessKeyId ? { accessKeyId, secretAccessKey, sessionToken } : undefined
}

/**
 * `provider.request(service, method, params)` (Serverless v3's, removed by osls 4): the engine makes
 * the call with its AWS SDK and the service's credentials (`--aws-profile`, `AWS_<STAGE>_*`,
 * `provider.profile` … as for a deploy). A failure is Serverless v3's: `code`
 * `AWS_<SERVICE>_<METHOD>_<CODE>` and the AWS error on `providerError`.
 */
async function awsCall(opts, aws, serverless, service, method, params) {
  try {
    const text = await native.awsRequest(aws.getRegion(), opts.profile || null, service, method, JSON.stringify(params || {}), aws.getStage(), serverless.service.provider.profile || null)
    return JSON.parse(text)
  } catch (err) {
    throw providerFailure(err, service, method)
  }
}

const MARKER = '\u0000'

function providerFailure(err, service, method) {
  const raw = String((err && err.message) || err)
  const at = raw.indexOf(MARKER)
  let details = {}
  if (at >= 0) {
    try {
      details = JSON.parse(raw.slice(at + 1))
    } catch {}
  }
  const message = at >= 0 ? raw.slice(0, at) : raw
  const awsCode = details.code || 'UNKNOWN'
  if (details.statusCode === undefined && /^AWS_REQUEST_/.test(awsCode)) return new PluginError(message, awsCode)
  const upper = (s) => String(s).replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()
  const failure = new PluginError(details.awsMessage || message, `AWS_${upper(service)}_${upper(method)}_${upper(awsCode)}`)
  failure.providerError = { code: awsCode, statusCode: details.statusCode, message: details.awsMessage || message }
  failure.providerErrorCodeExtension = upper(awsCode)
  return failure
}

module.exports = { createHost, TerminateHookChain }
