'use strict'
// The `serverless` object a Serverless v3 plugin is constructed with (lib/serverless.js of osls):
// `service` with its methods, `config`, `getProvider('aws')`, `pluginManager`, `configSchemaHandler`,
// `classes.Error`, `cli`, `utils`, `processedInput`, `serviceOutputs`. Naming rules and AWS calls
// are the engine's (through the binding), not a second copy here.

const fs = require('node:fs')
const path = require('node:path')

const native = require('../../index.js')

const VERSION = '3.40.0'

/** ServerlessError: what plugins throw with a `code`. */
class ServerlessError extends Error {
  constructor(message, code, options = {}) {
    super(message)
    this.name = 'ServerlessError'
    this.code = code
    this.decoratedMessage = options.decoratedMessage
  }
}

class Service {
  constructor(serverless) {
    Object.defineProperty(this, 'serverless', { value: serverless, enumerable: false, writable: true })
  }

  getServiceName() {
    return this.serviceObject ? this.serviceObject.name : this.service
  }
  getServiceObject() {
    return this.serviceObject
  }
  getAllFunctions() {
    return Object.keys(this.functions || {})
  }
  getAllLayers() {
    return this.layers ? Object.keys(this.layers) : []
  }
  getAllFunctionsNames() {
    return this.getAllFunctions().map((f) => this.getFunction(f).name)
  }
  getFunction(name) {
    if (this.functions && Object.prototype.hasOwnProperty.call(this.functions, name)) return this.functions[name]
    throw new ServerlessError(`Function "${name}" doesn't exist in this Service`, 'FUNCTION_MISSING_IN_SERVICE')
  }
  getLayer(name) {
    if (this.layers && Object.prototype.hasOwnProperty.call(this.layers, name)) return this.layers[name]
    throw new ServerlessError(`Layer "${name}" doesn't exist in this Service`, 'LAYER_MISSING_IN_SERVICE')
  }
  getEventInFunction(eventName, functionName) {
    const event = (this.getFunction(functionName).events || []).find((e) => Object.keys(e)[0] === eventName)
    if (event) return event
    throw new ServerlessError(`Event "${eventName}" doesn't exist in function "${functionName}"`, 'EVENT_MISSING_FOR_FUNCTION')
  }
  getAllEventsInFunction(functionName) {
    return this.getFunction(functionName).events
  }
  publish(data) {
    this.pluginsData = { ...(this.pluginsData || {}), ...(data || {}) }
  }
  update(data) {
    return reconcile(this, data, true)
  }
}

/**
 * Makes `target` equal to `source` in place, keeping the identity of every object both have: plugins
 * keep references into the service (`this.custom = serverless.service.custom`), and those must see
 * the engine's later state. With `merge`, keys `source` lacks are kept.
 */
function reconcile(target, source, merge = false) {
  for (const key of Object.keys(target)) {
    if (!merge && !(key in source)) delete target[key]
  }
  for (const [key, value] of Object.entries(source)) {
    const current = target[key]
    if (isPlain(value) && isPlain(current)) reconcile(current, value, merge)
    else if (Array.isArray(value) && Array.isArray(current) && !merge) {
      current.length = value.length
      for (let i = 0; i < value.length; i++) {
        if (isPlain(value[i]) && isPlain(current[i])) reconcile(current[i], value[i])
        else current[i] = value[i]
      }
    } else target[key] = value
  }
  return target
}

function isPlain(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** The service as JSON for the engine: its own data, without the internal keys' values kept out. */
function serviceJson(service) {
  return JSON.parse(JSON.stringify(service))
}

/**
 * v2-style `provider.request(service, method, params)`: served by the engine's AWS SDK (Rust) for the
 * operations plugins call; anything else is refused by name.
 */
function makeProvider(serverless, host) {
  const namingCache = new Map()
  const naming = new Proxy(
    {},
    {
      get(_, method) {
        if (typeof method !== 'string' || method === 'then') return undefined
        if (!namingCache.has(method)) {
          namingCache.set(method, (...args) => {
            const answer = native.namingRule(method, JSON.parse(JSON.stringify(args.map((a) => (a === undefined ? null : a)))), host.namingContext())
            return answer && typeof answer === 'object' && typeof answer.$regex === 'string' ? new RegExp(answer.$regex) : answer
          })
        }
        return namingCache.get(method)
      },
    },
  )
  const provider = {
    serverless,
    options: serverless.processedInput.options,
    naming,
    getProviderName: () => 'aws',
    // As osls: the CLI's choice, else the configuration's, else the default.
    getRegion: () => serverless.processedInput.options.region || serverless.service.provider.region || 'us-east-1',
    getStage: () => serverless.processedInput.options.stage || serverless.service.provider.stage || 'dev',
    getAccountId: () => host.awsCall('STS', 'getCallerIdentity', {}).then((r) => r.Account),
    getAccountInfo: () =>
      host.awsCall('STS', 'getCallerIdentity', {}).then((r) => ({ accountId: r.Account, partition: String(r.Arn || '').split(':')[1] || 'aws', arn: r.Arn, userId: r.UserId })),
    getServerlessDeploymentBucketName: () => host.deploymentBucket(),
    getDeploymentPrefix: () => serverless.service.provider.deploymentPrefix || 'serverless',
    getCredentials: () => ({ region: provider.getRegion(), credentials: host.credentials() }),
    // osls 4's way for plugins to make their own SDK v3 clients; a local endpoint goes with it.
    getAwsSdkV3Config: async () => ({
      region: provider.getRegion(),
      // The credentials a deploy of this service uses (`--aws-profile`, AWS_<STAGE>_PROFILE,
      // provider.profile …), resolved by the engine: the plugin's own clients act as the same identity.
      credentials: host.credentialsProvider(),
      ...(process.env.AWS_ENDPOINT_URL ? { endpoint: process.env.AWS_ENDPOINT_URL, forcePathStyle: true } : {}),
    }),
    request: (service, method, params = {}) => host.awsCall(service, method, params),
    getLogRetentionInDays: () => serverless.service.provider.logRetentionInDays,
    isExistingRestApi: () => Boolean(serverless.service.provider.apiGateway && serverless.service.provider.apiGateway.restApiId),
    getApiGatewayRestApiId: () => ({ Ref: 'ApiGatewayRestApi' }),
    getRuntime: (runtime) => runtime || serverless.service.provider.runtime || 'nodejs24.x',
  }
  return provider
}

/** The `configSchemaHandler`: its definitions are recorded and extend the engine's schema. */
function makeSchemaHandler(definitions) {
  return {
    defineTopLevelProperty: (name, schema) => definitions.push({ kind: 'topLevelProperty', name, schema }),
    defineCustomProperties: (schema) => definitions.push({ kind: 'customProperties', schema }),
    defineFunctionEvent: (provider, name, schema) => provider === 'aws' && definitions.push({ kind: 'functionEvent', name, schema }),
    defineFunctionEventProperties: (provider, event, schema) => provider === 'aws' && definitions.push({ kind: 'functionEventProperties', event, schema }),
    defineFunctionProperties: (provider, schema) => provider === 'aws' && definitions.push({ kind: 'functionProperties', schema }),
    defineProvider: () => {},
    relaxProviderSchema: () => {},
    schema: {},
  }
}

const utils = {
  getVersion: () => VERSION,
  readFileSync: (file) => {
    const text = fs.readFileSync(file, 'utf8')
    if (/\.json$/.test(file)) return JSON.parse(text)
    if (/\.ya?ml$/.test(file)) return native.parseYaml(text, String(file))
    return text
  },
  readFile: async (file) => utils.readFileSync(file),
  writeFileDir: (file) => fs.mkdirSync(path.dirname(file), { recursive: true }),
  appendFileSync: async (file, contents) => fs.appendFileSync(file, contents || ''),
  walkDirSync: (dir) => {
    const out = []
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name)
        if (e.isDirectory()) walk(p)
        else out.push(p)
      }
    }
    walk(dir)
    return out
  },
  getTmpDirPath: () => fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'tmpdirs-serverless-')),
  generateShortId: (length) => Math.random().toString(36).substr(2, length),
  writeFileSync: (file, contents) => {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, typeof contents === 'string' ? contents : JSON.stringify(contents, null, 2))
  },
  writeFile: async (file, contents) => utils.writeFileSync(file, contents),
  fileExistsSync: (file) => {
    try {
      return fs.statSync(file).isFile()
    } catch {
      return false
    }
  },
  dirExistsSync: (dir) => {
    try {
      return fs.statSync(dir).isDirectory()
    } catch {
      return false
    }
  },
  fileExists: async (file) => utils.fileExistsSync(file),
  copyDirContentsSync: (src, dest) => fs.cpSync(src, dest, { recursive: true }),
  isEventUsed: (functions, eventName) =>
    Object.values(functions || {}).some((f) => (f.events || []).some((e) => Object.keys(e)[0] === eventName)),
  logStat: () => Promise.resolve(),
}

function makeServerless({ serviceDir, configFile, commands, options, host }) {
  const definitions = []
  const serverless = {
    version: VERSION,
    serviceDir,
    configurationFilename: configFile,
    // `config.servicePath` is `serviceDir` (serverless-plugin-typescript points it at its build).
    config: {
      get servicePath() {
        return serverless.serviceDir
      },
      set servicePath(dir) {
        serverless.serviceDir = dir
      },
      get serviceDir() {
        return serverless.serviceDir
      },
    },
    processedInput: { commands, options },
    classes: { Error: ServerlessError },
    utils,
    serviceOutputs: new Map(),
    servicePluginOutputs: new Map(),
    isInvokedByGlobalInstallation: false,
    isLocallyInstalled: true,
    getVersion: () => VERSION,
    logDeprecation(code, message) {
      host.emit('warning', `Deprecation warning: ${message}`, 'deprecation')
    },
    addServiceOutputSection(section, content) {
      serverless.serviceOutputs.set(section, content)
    },
  }
  serverless.service = new Service(serverless)
  serverless.configSchemaHandler = makeSchemaHandler(definitions)
  const provider = makeProvider(serverless, host)
  serverless.getProvider = (name) => (name === 'aws' ? provider : undefined)
  serverless.setProvider = () => {}
  serverless.providers = { aws: provider }
  serverless.cli = {
    log: (message) => host.emit('notice', String(message), 'cli'),
    consoleLog: (message) => host.emit('notice', String(message), 'cli'),
    printDot: () => {},
  }
  serverless.pluginManager = host.pluginManager
  return { serverless, definitions }
}

module.exports = { makeServerless, reconcile, serviceJson, ServerlessError }
