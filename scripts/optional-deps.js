#!/usr/bin/env node
'use strict'
// Writes into DIR/package.json the optionalDependencies a published slsx carries: every platform
// package under npm/ at the package's version (what `napi pre-publish` adds). The repository's own
// package.json has none — the platform packages exist only once published, and `npm ci` needs a lock
// file that names every dependency.
//
//   node scripts/optional-deps.js DIR
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const dir = process.argv[2]
if (!dir) {
  console.error('usage: node scripts/optional-deps.js DIR')
  process.exit(2)
}
const file = path.join(dir, 'package.json')
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'))
const optional = {}
for (const platform of fs.readdirSync(path.join(root, 'npm')).sort()) {
  const { name } = JSON.parse(fs.readFileSync(path.join(root, 'npm', platform, 'package.json'), 'utf8'))
  optional[name] = pkg.version
}
pkg.optionalDependencies = optional
fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`)
