// Preloaded into osls (`node -r scripts/osls-error-code.js`) by scripts/osls-print-golden.sh: osls prints
// an error's message but not its code. This wraps two osls modules as they are first required:
//   lib/cli/handle-error.js            records the code and name of the error osls reports;
//   lib/configuration/variables/eventually-report-resolution-errors.js
//                                      records the codes of the per-variable errors that osls folds
//                                      into one VARIABLES_RESOLUTION_ERROR (in its message order).
// and writes {"code", "name", "causes"} to the file named by OSLS_ERROR_CODE_FILE. That variable is
// removed from process.env before osls runs, so `${env:...}` cannot see it.
'use strict';

const fs = require('fs');
const Module = require('module');

const out = process.env.OSLS_ERROR_CODE_FILE;
delete process.env.OSLS_ERROR_CODE_FILE;

if (out) {
  let causes = [];
  const wrappers = new Map();
  const wrap = {
    'handle-error': (original) =>
      function (exception, ...args) {
        const e = exception || {};
        const record = { code: e.code ?? null, name: e.name ?? null };
        if (e.code === 'VARIABLES_RESOLUTION_ERROR') record.causes = causes;
        fs.writeFileSync(out, `${JSON.stringify(record)}\n`);
        return original.call(this, exception, ...args);
      },
    'eventually-report-resolution-errors': (original) =>
      function (configurationPath, configuration, variablesMeta, ...args) {
        const errors = new Set(Array.from(variablesMeta.values(), ({ error }) => error).filter(Boolean));
        if (errors.size) causes = Array.from(errors, (error) => error.code ?? null);
        return original.call(this, configurationPath, configuration, variablesMeta, ...args);
      },
  };
  const load = Module._load;
  Module._load = function (request, parent, ...rest) {
    const exported = load.call(this, request, parent, ...rest);
    if (typeof exported !== 'function' || !parent || !/[\\/]osls[\\/]/.test(parent.filename)) return exported;
    const name = request.replace(/\.js$/, '').split(/[\\/]/).pop();
    if (!wrap[name]) return exported;
    if (!wrappers.has(exported)) wrappers.set(exported, wrap[name](exported));
    return wrappers.get(exported);
  };
}
