'use strict'
// The `{ log, progress, writeText }` a plugin is constructed with (osls's getPluginWriters): what a
// plugin writes reaches the CLI's output like slsx's own messages (through `onProgress` in the API).

function makeWriters(plugin, host) {
  const emit = (level) => (...args) => host.emit(level, args.map(String).join(' '), plugin)
  const log = emit('notice')
  Object.assign(log, {
    error: emit('error'),
    warning: emit('warning'),
    warn: emit('warning'),
    notice: emit('notice'),
    success: emit('success'),
    info: emit('info'),
    verbose: emit('info'),
    debug: emit('debug'),
    get: () => log,
  })
  log.notice.success = emit('success')
  log.notice.skip = emit('notice')
  const progressItem = (name) => ({
    name,
    update: (message) => message && host.emit('info', String(message), plugin),
    notice: (message) => message && host.emit('info', String(message), plugin),
    info: (message) => message && host.emit('info', String(message), plugin),
    remove: () => {},
  })
  const progress = {
    get: (name) => progressItem(name),
    create: ({ message, name } = {}) => {
      const item = progressItem(name)
      if (message) item.update(message)
      return item
    },
    clear: () => {},
  }
  const writeText = (...args) => host.emit('text', args.flat().map(String).join('\n'), plugin)
  return { log, progress, writeText }
}

module.exports = { makeWriters }
