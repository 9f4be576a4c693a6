'use strict'
const { SlsxError } = require('../errors')

/** An error of the plugin host itself (loading, an unknown command …). */
class PluginError extends SlsxError {
  constructor(message, code, details = {}) {
    super(message, { ...details, code })
  }
}

module.exports = { PluginError }
