'use strict'
// Finding and loading a service's plugins exactly as Serverless v3 / osls 4.3.1 do
// (lib/classes/plugin-manager.js): `plugins:` as a list or `{ localPath, modules }`, `./x` plugins
// kept inside the service directory, the legacy `.serverless_plugins/` folder first for other names,
// then Node's resolution from the service directory, then from where slsx is installed. CommonJS and
// ESM modules (a default export) both work.

const path = require('node:path')
const { createRequire } = require('node:module')
const { pathToFileURL } = require('node:url')

const { PluginError } = require('./errors')

const NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/i

/** `{ modules, localPath }` of a `plugins:` value, each entry checked as osls checks it. */
function parsePlugins(section, serviceDir) {
  let localPath = path.join(serviceDir, '.serverless_plugins')
  let modules = []
  if (Array.isArray(section)) modules = section
  else if (section && typeof section === 'object') {
    if (typeof section.localPath === 'string' && section.localPath) localPath = path.resolve(serviceDir, section.localPath)
    if (Array.isArray(section.modules)) modules = section.modules
  }
  for (const entry of modules) checkEntry(entry, serviceDir)
  // The enterprise plugin of Serverless v1 is never loaded, as in osls.
  return { modules: modules.filter((m) => m !== '@serverless/enterprise-plugin'), localPath }
}

function checkEntry(entry, serviceDir) {
  if (typeof entry !== 'string' || entry.trim() !== entry || entry === '') {
    throw new PluginError('Plugin entries must be strings.', 'INVALID_PLUGIN_REFERENCE')
  }
  if (entry.startsWith('./')) {
    const relative = path.relative(serviceDir, path.resolve(serviceDir, entry))
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new PluginError(`Local plugin path "${entry}" must stay inside the service directory.`, 'INVALID_LOCAL_PLUGIN_PATH')
    }
    return
  }
  const scoped = entry.startsWith('@')
  const segments = entry.split('/')
  const packageName = segments.slice(0, scoped ? 2 : 1).join('/')
  if (/@/.test(scoped ? packageName.slice(1) : packageName)) {
    throw new PluginError('The plugins configuration must list package names, not versioned install specs.', 'INVALID_PLUGIN_REFERENCE')
  }
  if (!NAME.test(packageName)) {
    throw new PluginError(`Invalid plugin name "${packageName}"`, 'INVALID_PLUGIN_REFERENCE')
  }
}

function tryResolve(req, request) {
  try {
    return req.resolve(request)
  } catch {
    return null
  }
}

/** The file a plugin entry loads from, or a PLUGIN_NOT_FOUND error. */
function resolvePlugin(name, serviceDir, localPath) {
  if (!name.startsWith('./')) {
    const legacy = tryResolve(require, path.resolve(localPath, name))
    if (legacy) return legacy
  }
  const fromService = tryResolve(createRequire(path.join(serviceDir, 'package.json')), name)
  if (fromService) return fromService
  const fromSlsx = name.startsWith('./') ? null : tryResolve(require, name)
  if (fromSlsx) return fromSlsx
  const hint = name.startsWith('./') ? '' : ` Run "npm install --save-dev ${name}" to install it.`
  throw new PluginError(
    `Serverless plugin "${name}" not found. Make sure it's installed and listed in the "plugins" section of your serverless config file.${hint}`,
    'PLUGIN_NOT_FOUND',
  )
}

async function importPlugin(file) {
  let mod
  try {
    mod = require(file)
  } catch (err) {
    if (err && (err.code === 'ERR_REQUIRE_ESM' || err.code === 'ERR_REQUIRE_ASYNC_MODULE')) mod = await import(pathToFileURL(file).href)
    else throw err
  }
  if (mod && typeof mod !== 'function' && typeof mod.default === 'function') mod = mod.default
  return mod
}

/** The plugin classes of the service, in the order listed. */
async function loadPluginClasses(section, serviceDir) {
  const { modules, localPath } = parsePlugins(section, serviceDir)
  const classes = []
  for (const name of modules) {
    const file = resolvePlugin(name, serviceDir, localPath)
    const Plugin = await importPlugin(file)
    if (typeof Plugin !== 'function') {
      throw new PluginError(`Serverless plugin "${name}", didn't export Plugin constructor.`, 'MISSING_PLUGIN_NAME')
    }
    classes.push({ name, Plugin, file })
  }
  return { classes, localPath }
}

module.exports = { loadPluginClasses, parsePlugins }
