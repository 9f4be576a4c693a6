'use strict'
// The oracle of schema-differential.test.js: osls 4.3.1's own configuration validator, built from the
// pieces installed in .tools/osls (ajv, ajv-formats and osls's `regexp` keyword, with the options of
// osls's lib/classes/config-schema-handler/resolve-ajv-validate.js) and compiled from osls's assembled
// schema as scripts/osls-schema.sh dumps it. Nothing of osls is committed: this only loads it.

const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const oslsModules = path.join(root, '.tools', 'osls', 'node_modules')
const oslsLib = path.join(oslsModules, 'osls', 'lib', 'classes', 'config-schema-handler')
const schemaFile = path.join(root, '.tools', 'osls-schema.json')

function available() {
  return fs.existsSync(schemaFile) && fs.existsSync(path.join(oslsLib, 'normalize-ajv-errors.js'))
}

function loadSchema() {
  return JSON.parse(fs.readFileSync(schemaFile, 'utf8'))
}

/** Puts the definition object itself where a `{$ref: '#/definitions/x'}` stands, in place, as osls does
 * before compiling (a workaround of an ajv issue): without it ajv's coercions would differ under refs. */
function inlineRefs(schema) {
  const resolve = (ref) => {
    if (!ref.startsWith('#/definitions/')) throw new Error(`unsupported $ref ${ref}`)
    let at = schema
    for (const part of ref.slice(2).split('/')) {
      if (at == null || !Object.prototype.hasOwnProperty.call(at, part)) return undefined
      at = at[part]
    }
    return at
  }
  const walk = (node) => {
    for (const [key, value] of Object.entries(node)) {
      if (value === null || typeof value !== 'object') continue
      if (typeof value.$ref === 'string') node[key] = resolve(value.$ref)
      else walk(value)
    }
  }
  walk(schema)
  return schema
}

/** What osls does to the configuration between resolving variables and validating it (lib/serverless.js
 * `run`, lib/classes/service.js): an unset provider stage becomes 'dev' (`reloadServiceFileParam`);
 * `functions` and `resources` written as lists are merged (`mergeArrays`, osls's own merge, a
 * non-object entry refused); each function's falsy `events` becomes [] and falsy `name` the generated
 * one, a null function is dropped and a non-object one refused (`setFunctionNames`, stage 'dev'); the
 * merged objects are what gets validated (`validate`). `{config}` or `{refusal: code}`. */
function oslsPreparation() {
  const req = (name) => require(path.join(oslsModules, name))
  const isObject = req('type/object/is')
  const isPlainObject = req('type/plain-object/is')
  const merge = require(path.join(oslsModules, 'osls', 'lib', 'utils', 'merge-plain-objects.js'))
  return (input) => {
    const config = structuredClone(input)
    if (isObject(config.provider) && config.provider.stage == null) config.provider.stage = 'dev'
    const merged = {}
    for (const key of ['resources', 'functions']) {
      merged[key] = key === 'functions' ? config.functions || {} : config.resources
      if (!Array.isArray(merged[key])) continue
      let memo = {}
      for (const value of merged[key]) {
        if (!value) continue
        if (!isPlainObject(value)) return { refusal: 'LEGACY_CONFIGURATION_PROPERTY_MERGE_INVALID_INPUT' }
        memo = merge(memo, value)
      }
      merged[key] = memo
    }
    const functions = merged.functions
    if (!isObject(functions)) return { refusal: 'NON_OBJECT_FUNCTIONS_CONFIGURATION' }
    for (const [name, fn] of Object.entries(functions)) {
      if (fn == null) {
        delete functions[name]
        continue
      }
      if (!isObject(fn)) return { refusal: 'NON_OBJECT_FUNCTION_CONFIGURATION_ERROR' }
      if (!fn.events) fn.events = []
      if (!fn.name) fn.name = `${config.service}-dev-${name}`
    }
    if (config.functions) config.functions = functions
    if (config.resources) config.resources = merged.resources
    return { config }
  }
}

/** `(config) => { converted, errors, lines, throws }`: ajv's verdict on a deep clone of `config`, the
 * clone as ajv converted it, and osls's normalized problem lines (`at 'a.b': message`). */
function oslsValidator() {
  const req = (name) => require(path.join(oslsModules, name))
  const Ajv = req('ajv').default
  const ajv = new Ajv({ allErrors: true, coerceTypes: 'array', verbose: true, strict: true, strictRequired: false })
  req('ajv-formats').default(ajv)
  ajv.addKeyword(require(path.join(oslsLib, 'regexp-keyword.js')))
  const normalize = require(path.join(oslsLib, 'normalize-ajv-errors.js'))
  const validate = ajv.compile(inlineRefs(loadSchema()))

  const prepare = oslsPreparation()
  return (config) => {
    const prepared = prepare(config)
    if (prepared.refusal) return { refusal: prepared.refusal, converted: null, lines: [], throws: true }
    const converted = prepared.config
    // osls takes null-valued properties out before validating and puts them back afterwards.
    const removed = []
    const strip = (node, at) => {
      if (Array.isArray(node)) node.forEach((v, i) => v && typeof v === 'object' && strip(v, at.concat(i)))
      else {
        for (const [k, v] of Object.entries(node)) {
          if (v == null) {
            removed.push(at.concat(k))
            delete node[k]
          } else if (typeof v === 'object') strip(v, at.concat(k))
        }
      }
    }
    strip(converted, [])
    validate(converted)
    for (const at of removed) {
      let node = converted
      for (const part of at.slice(0, -1)) node = node[part]
      node[at[at.length - 1]] = null
    }
    const errors = validate.errors ? [...validate.errors] : null
    const lines = errors ? normalize(errors).map((e) => e.message) : []
    // osls's mode comes from the configuration as written (service.js), before any conversion.
    const mode = config.configValidationMode || 'error'
    return { converted, lines, throws: lines.length > 0 && mode === 'error' }
  }
}

module.exports = { available, loadSchema, inlineRefs, oslsValidator, schemaFile }
