#!/usr/bin/env node
// Normalizes osls output so golden files stay stable across runs.
// The Rust side re-implements exactly these rules; change both or neither.
//
// Template rules, applied to every object that has a `Resources` object
// (the template itself, or the templates nested in serverless-state.json):
//  (a) a Resources key matching /^(.+)LambdaVersion[A-Za-z0-9]+$/ becomes
//      `$1LambdaVersion__HASH__`; every string value anywhere in the document
//      that equals the old id (Ref, DependsOn, GetAtt, ...) is replaced too.
//  (b) `Properties.Code.S3Key` of AWS::Lambda::Function and
//      `Properties.Content.S3Key` of AWS::Lambda::LayerVersion become
//      `__S3KEY__`; so does any string under `Outputs.*.Value` that equals
//      one of the original keys.
//  (c) `Properties.CodeSha256` of AWS::Lambda::Version becomes `__CODESHA256__`.
//  (d) a Resources key matching /^ApiGatewayDeployment\d+$/ becomes
//      `ApiGatewayDeployment__INSTANCE__`, with string values replaced as in (a).
// Output: JSON, 2-space indent, trailing newline, key order as in the input.
//
// With --service-dir DIR (used for serverless-state.json only), two more
// replacements run on every string after the rules above: DIR becomes
// `<SERVICE_DIR>`, and the timestamped artifact directory
// /\d+-\d{4}-\d\d-\d\dT[\d:.]+Z/ becomes `<ARTIFACT_DIR>`.
//
// Usage: normalize-template.js [--service-dir DIR] IN.json OUT.json
'use strict';

const fs = require('fs');

const VERSION_ID = /^(.+)LambdaVersion[A-Za-z0-9]+$/;
const DEPLOYMENT_ID = /^ApiGatewayDeployment\d+$/;
const ARTIFACT_DIR = /\d+-\d{4}-\d\d-\d\dT[\d:.]+Z/g;

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

const mapStrings = (value, fn) => {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (isObject(value)) {
    for (const key of Object.keys(value)) value[key] = mapStrings(value[key], fn);
  }
  return value;
};

const findTemplates = (value, found = []) => {
  if (Array.isArray(value)) value.forEach((v) => findTemplates(v, found));
  if (isObject(value)) {
    if (isObject(value.Resources)) found.push(value);
    Object.values(value).forEach((v) => findTemplates(v, found));
  }
  return found;
};

// Rebuilds the object so renamed keys keep their position.
const renameKeys = (obj, renames) => {
  const entries = Object.entries(obj).map(([k, v]) => [renames.get(k) ?? k, v]);
  for (const key of Object.keys(obj)) delete obj[key];
  for (const [k, v] of entries) {
    if (Object.prototype.hasOwnProperty.call(obj, k)) throw new Error(`id collision on ${k}`);
    obj[k] = v;
  }
};

const normalize = (doc) => {
  const renames = new Map();
  for (const template of findTemplates(doc)) {
    const s3Keys = new Set();
    for (const [id, resource] of Object.entries(template.Resources)) {
      const props = isObject(resource) && isObject(resource.Properties) ? resource.Properties : {};
      const code = resource && resource.Type === 'AWS::Lambda::Function' ? props.Code
        : resource && resource.Type === 'AWS::Lambda::LayerVersion' ? props.Content : null;
      if (isObject(code) && 'S3Key' in code) {
        if (typeof code.S3Key === 'string') s3Keys.add(code.S3Key);
        code.S3Key = '__S3KEY__';
      }
      if (resource && resource.Type === 'AWS::Lambda::Version' && 'CodeSha256' in props) {
        props.CodeSha256 = '__CODESHA256__';
      }
      const version = VERSION_ID.exec(id);
      if (version) renames.set(id, `${version[1]}LambdaVersion__HASH__`);
      if (DEPLOYMENT_ID.test(id)) renames.set(id, 'ApiGatewayDeployment__INSTANCE__');
    }
    for (const output of Object.values(isObject(template.Outputs) ? template.Outputs : {})) {
      if (isObject(output) && 'Value' in output) {
        output.Value = mapStrings(output.Value, (s) => (s3Keys.has(s) ? '__S3KEY__' : s));
      }
    }
    renameKeys(template.Resources, renames);
  }
  return mapStrings(doc, (s) => renames.get(s) ?? s);
};

const main = (argv) => {
  let serviceDir = null;
  if (argv[0] === '--service-dir') [, serviceDir, ...argv] = argv;
  if (argv.length !== 2) {
    process.stderr.write('usage: normalize-template.js [--service-dir DIR] IN.json OUT.json\n');
    process.exit(2);
  }
  let doc = normalize(JSON.parse(fs.readFileSync(argv[0], 'utf8')));
  if (serviceDir) {
    doc = mapStrings(doc, (s) =>
      s.split(serviceDir).join('<SERVICE_DIR>').replace(ARTIFACT_DIR, '<ARTIFACT_DIR>'));
  }
  fs.writeFileSync(argv[1], `${JSON.stringify(doc, null, 2)}\n`);
};

if (require.main === module) main(process.argv.slice(2));

module.exports = { normalize };
