'use strict'
// The one error class of the package: `code` is a stable SCREAMING_SNAKE string; configuration errors
// also carry `file`, `line`, `column` and `path`, a plugin's failure `plugin` and `hook`.

class SlsxError extends Error {
  constructor(message, details = {}) {
    super(message)
    this.name = 'SlsxError'
    for (const key of ['code', 'file', 'line', 'column', 'path', 'plugin', 'hook']) {
      if (details[key] !== undefined) this[key] = details[key]
    }
  }
}

module.exports = { SlsxError }
