// Preloaded into osls (`node -r scripts/osls-schema-dump.js osls print`) by scripts/osls-schema.sh:
// writes the configuration schema osls validates against (after every built-in plugin defined its
// part: provider, function properties, events) to the file named by OSLS_SCHEMA_FILE, `$ref`s kept.
// The dump goes to the git-ignored .tools/ and is only read by scripts/schema-diff.js, which lists
// where slsx's own schema (crates/slsx-core/src/config/schema/) differs from it.
'use strict';

const fs = require('fs');
const Module = require('module');

const out = process.env.OSLS_SCHEMA_FILE;
delete process.env.OSLS_SCHEMA_FILE;

if (out) {
  const load = Module._load;
  Module._load = function (request, parent, ...rest) {
    const exported = load.call(this, request, parent, ...rest);
    if (
      typeof exported === 'function' &&
      exported.prototype &&
      typeof exported.prototype.validateConfig === 'function' &&
      !exported.prototype.__slsxDumped
    ) {
      const validate = exported.prototype.validateConfig;
      exported.prototype.__slsxDumped = true;
      exported.prototype.validateConfig = function (...args) {
        fs.writeFileSync(out, `${JSON.stringify(this.schema, null, 2)}\n`);
        return validate.apply(this, args);
      };
    }
    return exported;
  };
}
