'use strict'
// Stand-ins for the parts of osls's built-in plugins that plugins reach into through
// `pluginManager.plugins` (serverless-plugin-split-stacks reads `AwsCompileApigEvents`'s validated
// http events and resource names). They answer from the service; the compiling is the engine's.

/** osls's AwsCompileApigEvents, as far as other plugins read it. */
class AwsCompileApigEvents {
  constructor(serverless) {
    Object.defineProperty(this, 'serverless', { value: serverless, enumerable: false })
  }

  /** `{ events: [{ functionName, http: { path, method, … } }] }` as osls's validation leaves it. */
  get validated() {
    const events = []
    const functions = this.serverless.service.functions || {}
    for (const [functionName, f] of Object.entries(functions)) {
      for (const event of (f && f.events) || []) {
        if (!event || event.http === undefined) continue
        let http = event.http
        if (typeof http === 'string') {
          const [method, ...rest] = http.trim().split(/\s+/)
          http = { method, path: rest.join(' ') }
        } else http = { ...http }
        http.path = String(http.path || '').replace(/^\//, '').replace(/\/$/, '')
        http.method = String(http.method || '').toLowerCase()
        events.push({ functionName, http })
      }
    }
    return { events }
  }

  /** The resource part of a path's logical IDs ('' for the root). */
  getResourceName(path) {
    if (path === '') return ''
    return this.serverless.getProvider('aws').naming.normalizePath(path)
  }

  getResourceId(path) {
    if (!path) return { 'Fn::GetAtt': ['ApiGatewayRestApi', 'RootResourceId'] }
    return { Ref: this.serverless.getProvider('aws').naming.getResourceLogicalId(path) }
  }
}

function builtInPlugins(serverless) {
  return [new AwsCompileApigEvents(serverless)]
}

module.exports = { builtInPlugins }
