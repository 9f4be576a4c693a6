#!/usr/bin/env node
// Golden data about the packages osls builds; no dependencies (the zip central
// directory is parsed here).
//
//   zip-entries.js zips DIR OUT.json
//     Every `*.zip` directly in DIR (osls's `.serverless/`) -> the list of its
//     entries in the order they appear in the central directory, each as
//     "<path> <mode>" where mode is the octal permission bits from the unix
//     half of the external attributes ("handler.js 644", "bin/run 755").
//     Prints one line per zip to stdout saying whether that order is UTF-8
//     byte order of the names (it is for osls 4.3.1, which sorts them).
//
//   zip-entries.js artifacts STATE.json TEMPLATE.json [NESTED.json...] OUT.json
//     `{ "<functionKey>": "<zip>", "layer:<layerKey>": "<zip>" }`: the file
//     name (last path segment) of the S3Key the compiled template (with the
//     nested stack templates a plugin such as split-stacks wrote) gives each
//     function's Code / layer's Content; image functions (no S3Key) map to
//     null. A function with `package.disable` is not packaged on its own but
//     osls still points it at the service zip, so it maps to that zip.
//
// Output: JSON, 2-space indent, keys sorted (by UTF-16 code units, as JS
// sorts), trailing newline.
'use strict';

const fs = require('fs');
const path = require('path');

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;

const die = (msg) => {
  process.stderr.write(`zip-entries: ${msg}\n`);
  process.exit(1);
};

const sortKeys = (obj) =>
  Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));

const writeJson = (file, value) =>
  fs.writeFileSync(file, `${JSON.stringify(sortKeys(value), null, 2)}\n`);

const readEntries = (file) => {
  const buf = fs.readFileSync(file);
  // The end-of-central-directory record is 22 bytes plus a comment of up to 64 KiB.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) die(`${file}: no end of central directory record`);
  const count = buf.readUInt16LE(eocd + 10);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) die(`${file}: zip64 is not supported`);

  const entries = [];
  let pos = cdOffset;
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(pos) !== CENTRAL) die(`${file}: bad central directory header at ${pos}`);
    const madeBy = buf.readUInt16LE(pos + 4) >> 8;
    const flags = buf.readUInt16LE(pos + 8);
    const nameLen = buf.readUInt16LE(pos + 28);
    const extraLen = buf.readUInt16LE(pos + 30);
    const commentLen = buf.readUInt16LE(pos + 32);
    const external = buf.readUInt32LE(pos + 38);
    const rawName = buf.subarray(pos + 46, pos + 46 + nameLen);
    // Bit 11: the name is UTF-8. Without it the name is CP437; osls (yazl)
    // always sets the bit, and names here are expected to be ASCII otherwise.
    const name = rawName.toString(flags & 0x800 ? 'utf8' : 'latin1');
    const unixMode = external >>> 16;
    // 3 = unix "version made by"; anything else carries no unix mode.
    const mode = madeBy === 3 && unixMode ? (unixMode & 0o7777).toString(8) : '-';
    entries.push({ name, mode, rawName });
    pos += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
};

const zips = (dir, out) => {
  const result = {};
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.zip')) : [];
  for (const zip of names.sort()) {
    const entries = readEntries(path.join(dir, zip));
    const byteSorted = [...entries].sort((a, b) => Buffer.compare(a.rawName, b.rawName));
    const inByteOrder = entries.every((e, i) => e === byteSorted[i]);
    process.stdout.write(
      `${zip}: ${entries.length} entries, ${inByteOrder ? 'in' : 'NOT in'} UTF-8 byte order\n`
    );
    result[zip] = entries.map((e) => `${e.name} ${e.mode}`);
  }
  writeJson(out, result);
};

// serverless-state.json stores shared objects once and points at them with
// `{ "$ref": "$[\"service\"][\"provider\"]" }` (JSON.decycle style).
const resolveRef = (root, value) => {
  if (!value || typeof value !== 'object' || typeof value.$ref !== 'string') return value;
  let target = root;
  for (const [, key] of value.$ref.matchAll(/\[("(?:[^"\\]|\\.)*"|\d+)\]/g)) {
    target = target[JSON.parse(key)];
    if (target === undefined) die(`unresolved ${value.$ref}`);
  }
  return resolveRef(root, target);
};

const artifacts = (stateFile, ...rest) => {
  const out = rest.pop();
  const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  const ref = (value) => resolveRef(state, value);
  const resources = rest.flatMap((file) =>
    Object.values(JSON.parse(fs.readFileSync(file, 'utf8')).Resources || {})
  );
  const baseName = (key) => key.split('/').pop();
  // Names may be CloudFormation intrinsics, so compare them as JSON.
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const result = {};

  for (const [key, fnRef] of Object.entries(ref(state.service.functions) || {})) {
    const fn = ref(fnRef);
    const found = resources.filter(
      (r) => r.Type === 'AWS::Lambda::Function' && same(r.Properties.FunctionName, fn.name)
    );
    if (found.length !== 1) die(`function ${key}: ${found.length} resources named ${fn.name}`);
    const code = found[0].Properties.Code || {};
    result[key] = typeof code.S3Key === 'string' ? baseName(code.S3Key) : null;
  }
  for (const [key, layerRef] of Object.entries(ref(state.service.layers) || {})) {
    const layer = ref(layerRef);
    const layerName = layer.name || key;
    const found = resources.filter(
      (r) => r.Type === 'AWS::Lambda::LayerVersion' && same(r.Properties.LayerName, layerName)
    );
    if (found.length !== 1) die(`layer ${key}: ${found.length} resources named ${layerName}`);
    result[`layer:${key}`] = baseName(found[0].Properties.Content.S3Key);
  }
  writeJson(out, result);
};

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'zips' && args.length === 2) zips(...args);
else if (cmd === 'artifacts' && args.length >= 3) artifacts(...args);
else die('usage: zip-entries.js zips DIR OUT.json | artifacts STATE.json TEMPLATE.json [NESTED.json...] OUT.json');
