#!/usr/bin/env node
// Lists where slsx's configuration schema (crates/slsx-core/src/config/schema/*.yml, events/*.yml,
// assembled as that directory's SCHEMA.md says) differs from the one osls 4.3.1 validates against
// (.tools/osls-schema.json, written by scripts/osls-schema.sh). One line per difference:
//   <json path>: <what differs>
// Both sides have every `$ref: '#/definitions/x'` inlined, so definitions may be organised and named
// differently; a difference inside a shared definition is printed once, at the first path that reaches
// it. The events' anyOf branches are matched by event name, not position.
//
// Usage: node scripts/schema-diff.js [--summary] [json-path-prefix]
//   json-path-prefix  only differences whose path starts with it (e.g. properties.provider)
//   --summary         counts per top-level area instead of the lines
// Exit status 0 whatever the differences; 2 when it cannot run.
'use strict';

const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const SCHEMA_DIR = path.join(ROOT, 'crates/slsx-core/src/config/schema');
const OSLS_SCHEMA = path.join(ROOT, '.tools/osls-schema.json');
const JS_YAML = path.join(ROOT, '.tools/osls/node_modules/js-yaml');

function fail(message) {
  process.stderr.write(`schema-diff: ${message}\n`);
  process.exit(2);
}

// ---- arguments ----------------------------------------------------------------------------------------
let prefix = '';
let summary = false;
for (const arg of process.argv.slice(2)) {
  if (arg === '--summary') summary = true;
  else if (arg === '-h' || arg === '--help') {
    process.stdout.write('usage: node scripts/schema-diff.js [--summary] [json-path-prefix]\n');
    process.exit(0);
  } else if (arg.startsWith('-')) fail(`unknown option ${arg}`);
  else if (prefix) fail('only one path prefix may be given');
  else prefix = arg;
}

// ---- loading ------------------------------------------------------------------------------------------
if (!fs.existsSync(JS_YAML) || !fs.existsSync(OSLS_SCHEMA)) {
  fail('.tools/osls-schema.json or .tools/osls is missing: run scripts/osls-schema.sh first');
}
const yaml = require(JS_YAML);
const osls = JSON.parse(fs.readFileSync(OSLS_SCHEMA, 'utf8'));

function loadYaml(file) {
  if (!fs.existsSync(file)) return undefined;
  try {
    return yaml.load(fs.readFileSync(file, 'utf8'), { filename: file }) ?? {};
  } catch (error) {
    return fail(`${path.relative(ROOT, file)}: ${error.message}`);
  }
}

const clone = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

// SCHEMA.md's "Assembly", step by step.
function assemble() {
  const definitions = {};
  const defOrigin = {};
  const addDefinitions = (file, doc) => {
    for (const [name, value] of Object.entries((doc && doc.definitions) || {})) {
      if (name in definitions) {
        fail(`definition ${name} is defined in both ${defOrigin[name]} and ${file}`);
      }
      definitions[name] = value;
      defOrigin[name] = file;
    }
  };
  const rootDoc = loadYaml(path.join(SCHEMA_DIR, 'root.yml'));
  const providerDoc = loadYaml(path.join(SCHEMA_DIR, 'provider.yml'));
  const functionDoc = loadYaml(path.join(SCHEMA_DIR, 'function.yml'));
  addDefinitions('root.yml', rootDoc);
  addDefinitions('provider.yml', providerDoc);
  addDefinitions('function.yml', functionDoc);
  const root = clone((rootDoc && rootDoc.schema) || {});
  if (providerDoc && providerDoc.provider !== undefined) {
    root.properties = root.properties || {};
    root.properties.provider = clone(providerDoc.provider);
  }
  if (functionDoc && functionDoc.function !== undefined) {
    if ('function' in definitions) fail(`definition function is defined in ${defOrigin.function}`);
    definitions.function = clone(functionDoc.function);
  }
  const eventsDir = path.join(SCHEMA_DIR, 'events');
  const eventFiles = fs.existsSync(eventsDir)
    ? fs.readdirSync(eventsDir).filter((f) => f.endsWith('.yml')).sort()
    : [];
  for (const file of eventFiles) {
    const doc = loadYaml(path.join(eventsDir, file));
    addDefinitions(`events/${file}`, doc);
    const name = file.slice(0, -'.yml'.length);
    const events = definitions.function && definitions.function.properties && definitions.function.properties.events;
    const anyOf = events && events.items && events.items.anyOf;
    if (!Array.isArray(anyOf)) {
      // Without function.yml's events list there is nowhere to put the branch.
      continue;
    }
    anyOf.push({
      type: 'object',
      properties: { [name]: clone(doc.event) },
      required: [name],
      additionalProperties: false,
    });
  }
  return { root, definitions };
}

const ours = assemble();
const theirs = { root: osls, definitions: osls.definitions || {} };
delete theirs.root.definitions;

// ---- reference resolution -----------------------------------------------------------------------------
// Returns { node, def } with every top-level $ref followed (def: the last definition name, or null).
function resolve(side, node, where) {
  let def = null;
  const seen = new Set();
  while (node && typeof node === 'object' && !Array.isArray(node) && typeof node.$ref === 'string') {
    const match = /^#\/definitions\/([^/]+)$/.exec(node.$ref);
    if (!match) {
      report(where, `${side.name}: unsupported $ref ${node.$ref}`, where);
      return { node: {}, def, broken: true };
    }
    const name = match[1];
    if (seen.has(name)) return { node: {}, def };
    seen.add(name);
    if (!(name in side.definitions)) {
      report(where, `${side.name}: $ref to undefined definition ${name}`, where);
      return { node: {}, def, broken: true };
    }
    side.used.add(name);
    const { $ref, ...siblings } = node;
    const target = side.definitions[name];
    node = Object.keys(siblings).length ? { ...target, ...siblings } : target;
    def = name;
  }
  return { node, def };
}

// ---- comparison ---------------------------------------------------------------------------------------
const IGNORED = new Set(['description', 'title', 'default', 'examples', '$comment']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions']);
const SCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf']);
const SCHEMA_ONE = new Set(['not', 'propertyNames', 'contains', 'if', 'then', 'else', 'additionalItems']);

const lines = []; // { path, message }
const printed = new Set();

// `key` names the difference independently of the path that reached it, so a definition reached from
// many places reports once.
function report(pathText, message, key) {
  const dedupe = `${key}\u0000${message}`;
  if (printed.has(dedupe)) return;
  if (prefix && !pathText.startsWith(prefix)) return;
  printed.add(dedupe);
  lines.push({ path: pathText, message });
}

function keyPath(base, key) {
  if (/^[^.[\]\s"]+$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

function show(value) {
  const text = value === undefined ? 'absent' : JSON.stringify(value);
  return text.length > 140 ? `${text.slice(0, 137)}...` : text;
}

// Where the events' branches are (the path as keyPath writes it).
const EVENTS_ITEMS = ['properties', 'functions', 'patternProperties', '^[a-zA-Z0-9-_]+$', 'properties', 'events', 'items']
  .reduce(keyPath, '');
const EVENTS_PATH = `${EVENTS_ITEMS}.anyOf`;

const canonical = (value) => JSON.stringify(value, (k, v) =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).filter((x) => !IGNORED.has(x)).sort().map((x) => [x, v[x]]))
    : v,
);

const oslsSide = { name: 'osls', definitions: theirs.definitions, used: new Set() };
const oursSide = { name: 'ours', definitions: ours.definitions, used: new Set() };

// Compares schema a (osls) with b (ours) at `where`. `scope` identifies the innermost pair of
// definitions being compared (for de-duplication); `rel` is the path inside that scope; `stack`
// holds the definition pairs in progress (cycle guard).
function compare(a, b, where, scope, rel, stack) {
  const ra = resolve(oslsSide, a, where);
  const rb = resolve(oursSide, b, where);
  if (ra.broken || rb.broken) return;
  if (ra.def || rb.def) {
    const pair = `${ra.def || '-'}|${rb.def || '-'}`;
    // Only pairs of definitions are safe to identify by name; an inline node is identified by the
    // path that holds it.
    const id = ra.def && rb.def ? pair : `${pair}|${scope}|${rel}`;
    if (stack.includes(id)) return;
    stack = [...stack, id];
    scope = id;
    rel = '';
  }
  a = ra.node;
  b = rb.node;
  const at = (suffix) => ({ where: keyPath(where, suffix), rel: keyPath(rel, suffix) });
  const say = (message, r = rel) => report(where, message, `${scope}#${r}`);

  if (typeof a === 'boolean' || typeof b === 'boolean' || a == null || b == null) {
    if (canonical(a) !== canonical(b)) say(`schema differs: osls ${show(a)}, ours ${show(b)}`);
    return;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    say(`schema differs: osls ${show(a)}, ours ${show(b)}`);
    return;
  }

  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !IGNORED.has(k));
  for (const key of keys) {
    const va = a[key];
    const vb = b[key];
    const sub = at(key);
    if (key === 'additionalProperties' && (va ?? true) === true && (vb ?? true) === true) continue;
    if (va === undefined || vb === undefined) {
      if (SCHEMA_MAPS.has(key) && va && vb === undefined && !Object.keys(va).length) continue;
      if (SCHEMA_MAPS.has(key) && vb && va === undefined && !Object.keys(vb).length) continue;
      if (key === 'required' && ((va && !va.length) || (vb && !vb.length))) continue;
      say(va === undefined ? `extra ${key}: ${show(vb)}` : `missing ${key} (osls: ${show(va)})`);
      continue;
    }
    if (SCHEMA_MAPS.has(key)) {
      compareMap(key, va, vb, where, scope, rel, stack);
    } else if (SCHEMA_LISTS.has(key)) {
      if (where === EVENTS_ITEMS && key === 'anyOf') {
        compareEvents(va, vb, sub.where, scope, sub.rel, stack);
      } else {
        compareBranches(key, va, vb, sub.where, scope, sub.rel, stack);
      }
    } else if (key === 'items') {
      if (Array.isArray(va) && Array.isArray(vb)) compareBranches(key, va, vb, sub.where, scope, sub.rel, stack);
      else if (Array.isArray(va) || Array.isArray(vb)) say(`items: osls ${show(va)}, ours ${show(vb)}`, sub.rel);
      else compare(va, vb, sub.where, scope, sub.rel, stack);
    } else if (key === 'additionalProperties' || SCHEMA_ONE.has(key)) {
      compare(va, vb, sub.where, scope, sub.rel, stack);
    } else if (key === 'dependencies') {
      compareMap(key, va, vb, where, scope, rel, stack);
    } else if (key === 'type') {
      const ta = [].concat(va);
      const tb = [].concat(vb);
      if (ta.join() !== tb.join()) say(`type: osls ${show(va)}, ours ${show(vb)}`);
    } else if (key === 'required' || key === 'enum') {
      const sa = va.map((v) => canonical(v));
      const sb = vb.map((v) => canonical(v));
      const missing = va.filter((v, i) => !sb.includes(sa[i]));
      const extra = vb.filter((v, i) => !sa.includes(sb[i]));
      if (missing.length) say(`${key} lacks ${show(missing)}`);
      if (extra.length) say(`${key} has extra ${show(extra)}`);
      if (!missing.length && !extra.length && sa.join() !== sb.join()) {
        say(`${key} order: osls ${show(va)}, ours ${show(vb)}`);
      }
    } else if (canonical(va) !== canonical(vb)) {
      say(`${key}: osls ${show(va)}, ours ${show(vb)}`);
    }
  }
}

function compareMap(key, ma, mb, where, scope, rel, stack) {
  const names = [...new Set([...Object.keys(ma), ...Object.keys(mb)])];
  for (const name of names) {
    const w = keyPath(keyPath(where, key), name);
    const r = keyPath(keyPath(rel, key), name);
    if (!(name in mb)) report(w, `missing ${key === 'properties' ? 'property' : key}`, `${scope}#${r}`);
    else if (!(name in ma)) report(w, `extra ${key === 'properties' ? 'property' : key}`, `${scope}#${r}`);
    else if (key === 'dependencies' && (Array.isArray(ma[name]) || Array.isArray(mb[name]))) {
      if (canonical(ma[name]) !== canonical(mb[name])) {
        report(w, `osls ${show(ma[name])}, ours ${show(mb[name])}`, `${scope}#${r}`);
      }
    } else compare(ma[name], mb[name], w, scope, r, stack);
  }
}

// A short description of a branch, for "missing/extra branch" lines.
function outline(side, node) {
  const { node: n, def } = resolve(side, node, '');
  if (!n || typeof n !== 'object') return show(n);
  const parts = [];
  if (def) parts.push(`$ref ${def}`);
  if (n.type) parts.push(`type ${[].concat(n.type).join('|')}`);
  if (n.const !== undefined) parts.push(`const ${show(n.const)}`);
  if (n.enum) parts.push(`enum ${show(n.enum)}`);
  if (n.properties) parts.push(`properties ${Object.keys(n.properties).join(',')}`);
  for (const k of ['anyOf', 'oneOf', 'allOf']) if (n[k]) parts.push(`${k}[${n[k].length}]`);
  return parts.join(', ') || show(n);
}

// Fully inlined canonical form (cycles cut), to align branch lists.
function inlined(side, node, stack = []) {
  const { node: n, def } = resolve(side, node, '');
  if (def && stack.includes(def)) return { $cycle: def };
  const next = def ? [...stack, def] : stack;
  if (Array.isArray(n)) return n.map((x) => inlined(side, x, next));
  if (!n || typeof n !== 'object') return n;
  const out = {};
  for (const k of Object.keys(n).sort()) {
    if (IGNORED.has(k)) continue;
    const v = n[k];
    if (k === 'enum' || k === 'const' || k === 'required' || k === 'type') out[k] = v;
    else if (SCHEMA_MAPS.has(k) || k === 'dependencies') {
      out[k] = Object.fromEntries(Object.keys(v).sort().map((x) => [x, inlined(side, v[x], next)]));
    } else out[k] = inlined(side, v, next);
  }
  return out;
}

// Branch lists (anyOf/oneOf/allOf, tuple items): order matters to ajv's coercion, so equal lengths are
// compared position by position; otherwise branches are aligned (longest common subsequence of equal
// branches) and the unmatched ones are reported, or compared when they fill the same gap one-to-one.
function compareBranches(key, la, lb, where, scope, rel, stack) {
  const say = (w, r, message) => report(w, message, `${scope}#${r}`);
  const idx = (i) => ({ where: `${where}[${i}]`, rel: `${rel}[${i}]` });
  const ca = la.map((x) => JSON.stringify(inlined(oslsSide, x)));
  const cb = lb.map((x) => JSON.stringify(inlined(oursSide, x)));
  if (la.length === lb.length) {
    if (ca.some((c, i) => c !== cb[i]) && [...ca].sort().join() === [...cb].sort().join()) {
      // The same branches in another order: ajv tries them in order, and one may coerce.
      const order = cb.map((c) => ca.indexOf(c));
      say(where, rel, `${key} branch order: ours has osls's branches [${order.join(', ')}]`);
      return;
    }
    la.forEach((x, i) => compare(x, lb[i], idx(i).where, scope, idx(i).rel, stack));
    return;
  }
  say(where, rel, `${key} has ${lb.length} branches, osls ${la.length}`);
  const n = ca.length;
  const m = cb.length;
  const L = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      L[i][j] = ca[i] === cb[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  let gapA = [];
  let gapB = [];
  const flush = () => {
    if (gapA.length === gapB.length) {
      gapA.forEach((x, k) => compare(la[x], lb[gapB[k]], idx(gapB[k]).where, scope, idx(gapB[k]).rel, stack));
    } else {
      for (const x of gapA) say(idx(x).where, idx(x).rel, `missing branch (osls [${x}]: ${outline(oslsSide, la[x])})`);
      for (const y of gapB) say(idx(y).where, idx(y).rel, `extra branch: ${outline(oursSide, lb[y])}`);
    }
    gapA = [];
    gapB = [];
  };
  while (i < n || j < m) {
    if (i < n && j < m && ca[i] === cb[j]) {
      flush();
      i++;
      j++;
    } else if (j >= m || (i < n && L[i + 1][j] >= L[i][j + 1])) {
      gapA.push(i++);
    } else {
      gapB.push(j++);
    }
  }
  flush();
}

// The events' branches: one per event name (osls starts with a `__schemaWorkaround__` branch because
// JSON schema forbids an empty anyOf; slsx's engine appends the events to an empty one).
function eventName(side, branch) {
  const { node } = resolve(side, branch, '');
  const req = node && node.required;
  return Array.isArray(req) && req.length === 1 ? req[0] : null;
}

function compareEvents(la, lb, where, scope, rel, stack) {
  const byName = (side, list) => {
    const map = new Map();
    list.forEach((b, i) => map.set(eventName(side, b) ?? `#${i}`, b));
    return map;
  };
  const ma = byName(oslsSide, la);
  const mb = byName(oursSide, lb);
  for (const [name, branch] of ma) {
    const w = `${where}[${name}]`;
    const r = `${rel}[${name}]`;
    if (!mb.has(name)) {
      report(w, name === '__schemaWorkaround__' ? "osls's placeholder branch (always first there)" : 'missing event', `${scope}#${r}`);
    } else compare(branch, mb.get(name), w, scope, r, stack);
  }
  for (const name of mb.keys()) {
    if (!ma.has(name)) report(`${where}[${name}]`, 'extra event', `${scope}#${rel}[${name}]`);
  }
}

compare(theirs.root, ours.root, '', 'root', '', []);

// ---- output -------------------------------------------------------------------------------------------
if (summary) {
  const counts = new Map();
  for (const { path: p } of lines) {
    let area;
    if (p.startsWith(`${EVENTS_PATH}[`)) area = `events.${p.slice(EVENTS_PATH.length + 1).split(']')[0]}`;
    else area = p.split(/[.[]/).slice(0, 2).join('.') || '(root)';
    counts.set(area, (counts.get(area) || 0) + 1);
  }
  for (const [area, count] of [...counts].sort()) process.stdout.write(`${String(count).padStart(5)}  ${area}\n`);
  process.stdout.write(`${String(lines.length).padStart(5)}  total\n`);
} else {
  for (const { path: p, message } of lines) process.stdout.write(`${p || '(root)'}: ${message}\n`);
}
if (!prefix) {
  const unused = Object.keys(ours.definitions).filter((d) => !oursSide.used.has(d));
  if (unused.length) process.stderr.write(`note: definitions never referenced: ${unused.join(', ')}\n`);
}
process.exit(0);
