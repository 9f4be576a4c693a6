#!/usr/bin/env node
'use strict'
// The slsx command line: parses serverless-compatible arguments, calls the engine, renders progress
// the way `serverless deploy` does, and ends with the same summary.

const path = require('node:path')
const slsx = require('../lib/index.js')

const USAGE = `Usage: slsx <command> [options]

Commands
  deploy                 Deploy the service (package, compile, update the CloudFormation stack)
  deploy function -f <name>
                         Send one function's code and configuration straight to Lambda
  package                Package the service into .serverless/ (or --package DIR) without deploying
  print                  Print the configuration with every variable resolved
  info                   Show the deployed service: functions, endpoints, layers (--verbose: outputs)

Options
  --stage, -s <stage>    Stage of the service (default: provider.stage, else dev)
  --region, -r <region>  Region (default: provider.region, else us-east-1)
  --config, -c <file>    Config file (default: serverless.yml, .yaml, .json)
  --aws-profile <name>   AWS profile for credentials (before AWS_<STAGE>_PROFILE, provider.profile …)
  --package, -p <dir>    package: where to write the package; deploy: deploy that package as it is
  --param "<key>=<value>" A parameter for \${param:key} (repeatable)
  --format <yaml|json>   print: output format (default yaml)
  --path <a.b.c>         print: print only this property
  --transform keys       print: print only the keys of the property
  --aws-s3-accelerate    Enable S3 transfer acceleration on the deployment bucket and use it
  --no-aws-s3-accelerate Suspend S3 transfer acceleration on the deployment bucket
  --function, -f <name>  deploy function: the function to deploy (repeatable)
  --update-config        deploy function: only the configuration, not the code
  --publish              deploy function: publish a version and move the function's alias to it
  --force                Deploy even when nothing changed
  --verbose              Print every CloudFormation stack event, the stack outputs and where the AWS
                         credentials come from
  --help, -h             Show this help
  --version, -v          Show the version`

const OPTIONS = {
  stage: { alias: 's', value: true },
  region: { alias: 'r', value: true },
  config: { alias: 'c', value: true },
  'aws-profile': { value: true },
  package: { alias: 'p', value: true },
  param: { value: true, multiple: true },
  format: { value: true },
  path: { value: true },
  transform: { value: true },
  function: { alias: 'f', value: true, multiple: true },
  'update-config': {},
  publish: {},
  force: {},
  'aws-s3-accelerate': {},
  'no-aws-s3-accelerate': {},
  verbose: {},
  help: { alias: 'h' },
  version: { alias: 'v' },
}

class UsageError extends Error {}

/**
 * The command words and the options. `extra` (a plugin command's own options, `{ name: { shortcut,
 * type } }`) is accepted besides slsx's; without it an unknown option is a usage error.
 */
function parseArgs(argv, extra) {
  const commands = []
  const options = {}
  const byAlias = Object.fromEntries(
    Object.entries(OPTIONS).filter(([, o]) => o.alias).map(([name, o]) => [o.alias, name]),
  )
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (!arg.startsWith('-')) {
      commands.push(arg)
      continue
    }
    let [flag, inline] = arg.replace(/^--?/, '').split(/=(.*)/s, 2)
    if (!arg.startsWith('--')) flag = byAlias[flag] || shortcutOf(extra, flag) || `-${flag}`
    const spec = OPTIONS[flag] || pluginOption(extra, flag)
    if (!spec) throw new UsageError(`Unknown option "${arg}"`)
    if (spec.value) {
      const value = inline !== undefined ? inline : argv[++i]
      if (value === undefined || value === '') throw new UsageError(`Option "--${flag}" needs a value`)
      if (spec.multiple) (options[flag] = options[flag] || []).push(value)
      else options[flag] = value
    } else {
      options[flag] = true
    }
  }
  return { commands, options }
}

function shortcutOf(extra, letter) {
  const hit = Object.entries(extra || {}).find(([, o]) => o && o.shortcut === letter)
  return hit && hit[0]
}

/** A plugin command's option: a flag when it is declared boolean, else it takes a value. */
function pluginOption(extra, name) {
  const o = extra && extra[name]
  if (!o) return undefined
  return o.type === 'boolean' ? {} : { value: true, multiple: o.type === 'multiple' }
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

function seconds(ms) {
  return `${Math.round(ms / 1000)}s`
}

/** Progress: a spinner line on a TTY, plain lines otherwise; stack events only with --verbose. */
function progressRenderer(verbose) {
  const tty = process.stderr.isTTY
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
  let text = ''
  let frame = 0
  let timer = null
  const draw = () => process.stderr.write(`\r\x1b[K${frames[frame++ % frames.length]} ${text}`)
  const clear = () => tty && process.stderr.write('\r\x1b[K')
  const setText = (t) => {
    text = t
    if (tty) {
      if (!timer) {
        timer = setInterval(draw, 80)
        timer.unref()
      }
      draw()
    } else {
      process.stderr.write(`${t}\n`)
    }
  }
  const line = (t) => {
    clear()
    process.stderr.write(`${t}\n`)
    if (tty && text) draw()
  }
  const state = { stack: null }
  return {
    state,
    onProgress(e) {
      switch (e.kind) {
        case 'serviceLoaded':
          state.stack = e.stack
          break
        case 'phaseStarted':
          if (e.phase === 'deploy') line(`\n${e.message}\n`)
          else setText(e.message)
          break
        case 'stackEvent':
          if (verbose) line(`  ${e.status} - ${e.resourceType} - ${e.logicalId}`)
          if (e.total) setText(`${text.replace(/ \(\d+\/\d+\)$/, '')} (${e.done}/${e.total})`)
          break
        case 'warning':
          line(`Warning: ${e.message}`)
          break
        case 'credentials':
          if (verbose) line(`AWS credentials: ${e.message}`)
          break
        case 'info': // osls's log.info: --verbose only
          if (verbose) line(e.message)
          break
        case 'success': // osls's log.notice.success
          line(`✔ ${e.message}`)
          break
        case 'notice': // a plugin's log / log.notice / cli.log
          line(e.message)
          break
        case 'error': // a plugin's log.error
          line(e.message)
          break
        case 'debug':
          if (verbose) line(e.message)
          break
        case 'text': // a plugin's writeText: the command's output
          clear()
          process.stdout.write(e.message.endsWith('\n') ? e.message : `${e.message}\n`)
          break
        default:
          break
      }
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = null
      clear()
    },
  }
}

function serviceOptions(options) {
  const params = {}
  for (const p of options.param || []) {
    const at = p.indexOf('=')
    if (at <= 0) throw new UsageError(`--param "${p}" must be written key=value`)
    params[p.slice(0, at)] = p.slice(at + 1)
  }
  const cli = { ...options }
  delete cli.param
  return {
    servicePath: process.cwd(),
    config: options.config,
    stage: options.stage,
    region: options.region,
    profile: options['aws-profile'],
    package: options.package,
    params,
    options: cli,
  }
}

/** YAML for a JSON value, block style, strings quoted when YAML would read them otherwise. */
function toYaml(value, indent = '') {
  const scalar = (v) => {
    if (v === null) return 'null'
    if (typeof v !== 'string') return String(v)
    const plain = /^[A-Za-z_/.][\w ./@:-]*$/.test(v) && !/: |:$| #|^(true|false|null|yes|no|on|off|~)$/i.test(v) && v.trim() === v
    return plain ? v : JSON.stringify(v)
  }
  if (Array.isArray(value)) {
    if (!value.length) return '[]'
    return value
      .map((v) => (v && typeof v === 'object' && Object.keys(v).length ? `${indent}- ${toYaml(v, `${indent}  `).trimStart()}` : `${indent}- ${toYaml(v, `${indent}  `)}`))
      .join('\n')
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value)
    if (!keys.length) return '{}'
    return keys
      .map((k) => {
        const v = value[k]
        const key = scalar(k)
        if (v && typeof v === 'object' && (Array.isArray(v) ? v.length : Object.keys(v).length)) {
          return `${indent}${key}:\n${toYaml(v, `${indent}  `)}`
        }
        return `${indent}${key}: ${toYaml(v, `${indent}  `)}`
      })
      .join('\n')
  }
  return scalar(value)
}

function printSummary(out, r, verbose) {
  if (r.endpoints && r.endpoints.length) {
    out.write(r.endpoints.length === 1 ? `\nendpoint: ${r.endpoints[0]}\n` : `\nendpoints:\n${r.endpoints.map((e) => `  ${e}\n`).join('')}`)
  }
  const functions = Array.isArray(r.functions) ? r.functions.map((f) => [f.key, `${f.name} (${formatSize(f.size)})`]) : Object.entries(r.functions || {})
  if (functions.length) {
    out.write('\nfunctions:\n')
    for (const [key, text] of functions) out.write(`  ${key}: ${text}\n`)
  }
  const layers = Object.entries(r.layers || {})
  if (layers.length) {
    out.write('\nlayers:\n')
    for (const [key, arn] of layers) out.write(`  ${key}: ${arn}\n`)
  }
  if (verbose && Object.keys(r.outputs || {}).length) {
    out.write('\nStack Outputs:\n')
    for (const [k, v] of Object.entries(r.outputs)) out.write(`  ${k}: ${v}\n`)
  }
  // Sections the service's plugins added (osls prints them after its own).
  for (const [section, content] of Object.entries(r.pluginOutputs || {})) {
    const lines = Array.isArray(content) ? content : [content]
    out.write(`${section}:\n${lines.map((l) => `  ${l}`).join('\n')}\n`)
  }
}

async function infoCommand(options) {
  const r = await slsx.info(serviceOptions(options))
  const out = process.stdout
  out.write(`service: ${r.service}\nstage: ${r.stage}\nregion: ${r.region}\nstack: ${r.stackName}\nstatus: ${r.stackStatus}\n`)
  printSummary(out, r, Boolean(options.verbose))
}

async function printCommand(options) {
  let config = await slsx.printConfig(serviceOptions(options))
  if (options.path) {
    for (const part of options.path.split('.')) {
      if (config === null || typeof config !== 'object' || !(part in config)) {
        throw new UsageError(`Path "${options.path}" is not in the configuration`)
      }
      config = config[part]
    }
  }
  if (options.transform) {
    if (options.transform !== 'keys') throw new UsageError('--transform supports only "keys"')
    if (config === null || typeof config !== 'object') throw new UsageError('--transform keys needs an object')
    config = Object.keys(config)
  }
  const format = options.format || 'yaml'
  if (format === 'json') process.stdout.write(`${JSON.stringify(config, null, 2)}\n`)
  else if (format === 'yaml') process.stdout.write(`${toYaml(config)}\n`)
  else if (format === 'text' && (typeof config !== 'object' || config === null || Array.isArray(config))) {
    process.stdout.write(`${Array.isArray(config) ? config.join('\n') : String(config)}\n`)
  } else throw new UsageError(`--format must be yaml, json or text`)
}

async function packageCommand(options) {
  const started = Date.now()
  const progress = progressRenderer(false)
  let result
  try {
    result = await slsx.packageService({ ...serviceOptions(options), onProgress: progress.onProgress })
  } finally {
    progress.stop()
  }
  const out = process.stdout
  out.write(`✔ Service packaged (${seconds(Date.now() - started)})\n`)
  out.write(`\n${path.relative(process.cwd(), result.packageDir) || '.'}:\n`)
  for (const a of result.artifacts) out.write(`  ${a.name} (${formatSize(a.size)})\n`)
}

async function deployCommand(options) {
  const started = Date.now()
  const progress = progressRenderer(Boolean(options.verbose))
  let result
  try {
    result = await slsx.deploy({
      ...serviceOptions(options),
      force: Boolean(options.force),
      awsS3Accelerate: options['aws-s3-accelerate'] ? true : options['no-aws-s3-accelerate'] ? false : undefined,
      onProgress: progress.onProgress,
    })
  } catch (err) {
    progress.stop()
    const stack = progress.state.stack ? `Stack ${progress.state.stack}` : 'Deployment'
    process.stderr.write(`✖ ${stack} failed to deploy (${seconds(Date.now() - started)})\n`)
    throw err
  }
  progress.stop()
  const took = seconds(Date.now() - started)
  const out = process.stdout
  if (result.skipped) {
    out.write(`No changes to deploy. Deployment skipped. (${took})\n`)
    return
  }
  if (result.emptyChangeSet) {
    out.write(`Change set did not include any changes to be deployed. (${took})\n`)
  } else {
    out.write(`✔ Service deployed to stack ${result.stackName} (${took})\n`)
  }
  printSummary(out, result, Boolean(options.verbose))
}

async function deployFunctionCommand(options) {
  const started = Date.now()
  if (!options.function) throw new UsageError('deploy function needs a function: -f <name>')
  const progress = progressRenderer(false)
  let results
  try {
    results = await slsx.deployFunction({
      ...serviceOptions(options),
      functions: options.function,
      force: Boolean(options.force),
      updateConfig: Boolean(options['update-config']),
      publish: Boolean(options.publish),
      onProgress: progress.onProgress,
    })
  } finally {
    progress.stop()
  }
  const out = process.stdout
  const took = seconds(Date.now() - started)
  for (const r of results) {
    const what =
      r.code === 'unchanged' && r.configuration === 'unchanged'
        ? 'Code and configuration not changed, nothing deployed'
        : r.code === 'updated'
          ? `Function code deployed${r.size ? ` (${formatSize(r.size)})` : ''}`
          : r.code === 'unchanged'
            ? 'Code not changed, configuration updated'
            : 'Function configuration updated'
    out.write(`✔ ${r.key} (${r.name}): ${what}${r.version ? `, version ${r.version}` : ''}\n`)
  }
  out.write(`(${took})\n`)
}

const BUILT_IN = new Set(['deploy', 'deploy function', 'package', 'print', 'info'])

async function main(argv) {
  // The command words come first (as in Serverless); one slsx does not know is a plugin's, whose
  // options only the plugin declares.
  const firstOption = argv.findIndex((a) => a.startsWith('-'))
  const words = firstOption < 0 ? argv : argv.slice(0, firstOption)
  if (words.length && !BUILT_IN.has(words.join(' '))) {
    return pluginCommand(argv, words)
  }
  const { commands, options } = parseArgs(argv)
  if (options.version) {
    process.stdout.write(`${require('../package.json').version}\n`)
    return
  }
  if (options.help || commands.length === 0) {
    process.stdout.write(`${USAGE}\n`)
    process.stdout.write(await pluginHelp(options))
    return
  }
  const command = commands.join(' ')
  switch (command) {
    case 'deploy':
      return options.function ? deployFunctionCommand(options) : deployCommand(options)
    case 'deploy function':
      return deployFunctionCommand(options)
    case 'package':
      return packageCommand(options)
    case 'print':
      return printCommand(options)
    case 'info':
      return infoCommand(options)
    default:
      return pluginCommand(argv, commands)
  }
}

/** The commands the plugins of the service in this directory define, for --help ('' without any). */
async function pluginHelp(options) {
  let defined
  try {
    defined = await slsx.pluginCommands(serviceOptions(options))
  } catch {
    return ''
  }
  const lines = []
  const walk = (commands, prefix) => {
    for (const [name, spec] of Object.entries(commands || {})) {
      if (spec.type === 'entrypoint') continue
      const words = `${prefix}${name}`
      if (spec.lifecycleEvents || spec.usage) lines.push(`  ${words.padEnd(22)} ${spec.usage || ''} (plugin ${spec.plugin})`)
      walk(spec.commands, `${words} `)
    }
  }
  walk(defined, '')
  return lines.length ? `\nCommands of the service's plugins\n${lines.join('\n')}\n` : ''
}

/** A command one of the service's plugins defines (`slsx prune -n 2`, `slsx offline`). */
async function pluginCommand(argv, words) {
  // First the service options only (the plugin's own options are not known before it is loaded).
  const anyFlag = new Proxy({}, { get: () => ({}) })
  const serviceOpts = serviceOptions(parseArgs(argv, anyFlag).options)
  let defined = {}
  try {
    defined = await slsx.pluginCommands(serviceOpts)
  } catch {
    throw new UsageError(`Unknown command "${words.join(' ')}"`)
  }
  let spec = { commands: defined }
  for (const w of words) spec = spec && spec.commands && spec.commands[w]
  if (!spec || spec.type === 'entrypoint') throw new UsageError(`Unknown command "${words.join(' ')}"`)
  const { options } = parseArgs(argv, spec.options)
  const progress = progressRenderer(Boolean(options.verbose))
  try {
    await slsx.runPluginCommand(words, { ...serviceOptions(options), onProgress: progress.onProgress })
  } finally {
    progress.stop()
  }
}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\n\n${USAGE}\n`)
    process.exitCode = 2
    return
  }
  process.stderr.write(`\nError:\n${err.message}\n`)
  if (err.code) process.stderr.write(`\n  code: ${err.code}\n`)
  process.exitCode = 1
})
