// Verdict parity between portico and Backstage's own validator.
//
// For every YAML document of the shared Backstage corpus, and for thousands of mutations of
// its valid documents, compares portico's verdict (error / ok, from `portico validate
// --format json`) with Backstage's: the `yaml` npm package and @backstage/catalog-model from
// ../shared/tools/backstage-oracle, called exactly as its oracle.mjs calls them, plus what
// the catalog does around them that oracle.mjs leaves out:
//   - `$text`/`$json`/`$yaml` placeholders are substituted first (PlaceholderProcessor);
//     a URL placeholder is assumed to fetch fine (portico warns and does not fetch);
//   - kind Template (scaffolder.backstage.io/v1beta3) is checked with the scaffolder's
//     published schema (corpus/backstage/schema/scaffolder), as the scaffolder backend does.
// Before relying on these additions, the script checks that it agrees with oracle.mjs itself
// on every corpus document they do not touch.
//
// Usage: node conformance.mjs --shared DIR --portico BIN [--work DIR] [--keep] [--extra DIR]
//   --extra DIR: also every YAML file under DIR (e.g. catalog files collected from real
//   repositories), compared as it is and mutated like the corpus; ids start with `extra/`.
// Exit status: 0 when every verdict agrees, 1 otherwise (disagreements are listed).

import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const shared = path.resolve(opt('--shared', '../shared'));
const portico = path.resolve(opt('--portico', 'target/release/portico'));
const oracleDir = path.join(shared, 'tools/backstage-oracle');
const corpus = path.join(shared, 'corpus/backstage');
const work = opt('--work', fs.mkdtempSync(path.join(os.tmpdir(), 'portico-conformance-')));
const keep = args.includes('--keep');
const extra = opt('--extra') && path.resolve(opt('--extra'));

const require = createRequire(path.join(oracleDir, 'package.json'));
const YAML = require('yaml');
const cm = require('@backstage/catalog-model');

// ---------------------------------------------------------------- Backstage's verdict
const policy = cm.EntityPolicies.allOf([
  new cm.SchemaValidEntityPolicy(),
  new cm.DefaultNamespaceEntityPolicy(),
  new cm.NoForeignRootFieldsEntityPolicy(),
  new cm.FieldFormatEntityPolicy(),
]);
const templateSchema = JSON.parse(
  fs.readFileSync(path.join(corpus, 'schema/scaffolder/Template.v1beta3.schema.json'), 'utf8'),
);
const templateValidator = cm.entityKindSchemaValidator(templateSchema);
const kindValidators = [
  cm.apiEntityV1alpha1Validator, cm.componentEntityV1alpha1Validator,
  cm.domainEntityV1alpha1Validator, cm.groupEntityV1alpha1Validator,
  cm.locationEntityV1alpha1Validator, cm.resourceEntityV1alpha1Validator,
  cm.systemEntityV1alpha1Validator, cm.userEntityV1alpha1Validator,
  { check: async e => templateValidator(e) === e },
];

async function entityVerdict(doc, withTemplate = true) {
  try {
    const e = await policy.enforce(doc);
    for (const v of withTemplate ? kindValidators : kindValidators.slice(0, -1)) {
      if (await v.check(e)) return { ok: true };
    }
    return { ok: false, errors: [`unknown-kind: ${e.apiVersion} ${e.kind}`] };
  } catch (err) {
    return { ok: false, errors: [String(err.message ?? err)] };
  }
}

// PlaceholderProcessor: a mapping whose only key is $text/$json/$yaml is replaced by the
// content it names. Relative paths are read beside the file; URLs are assumed to work.
function substitute(data, dir, state) {
  if (!data || typeof data !== 'object') return data;
  if (Array.isArray(data)) return data.map(d => substitute(d, dir, state));
  const keys = Object.keys(data);
  if (!keys.some(k => k.startsWith('$'))) {
    return Object.fromEntries(keys.map(k => [k, substitute(data[k], dir, state)]));
  }
  if (keys.length !== 1) return data;
  const key = keys[0].substring(1);
  if (!['text', 'json', 'yaml'].includes(key)) return data;
  state.used = true;
  const value = data[keys[0]];
  if (typeof value !== 'string') throw new Error(`Placeholder $${key} expected a string value`);
  if (/^[a-z][a-z0-9+.-]+:/i.test(value)) {
    if (key !== 'text') state.unknown = true; // structured content we cannot know offline
    state.url = true;
    return `(content of ${value})`;
  }
  const content = fs.readFileSync(path.resolve(dir, value), 'utf8');
  if (key === 'text') return content;
  if (key === 'json') return JSON.parse(content);
  const docs = YAML.parseAllDocuments(content);
  if (docs.length !== 1) throw new Error(`expected exactly one document, found ${docs.length}`);
  if (docs[0].errors?.length) throw new Error(String(docs[0].errors[0]));
  return docs[0].toJSON();
}

/// Verdicts of every document of one file: [{index, ok, errors, kind, json}], as oracle.mjs
/// numbers them (empty documents count but are not reported).
async function fileVerdicts(file, { plain = false } = {}) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return [{ index: -1, ok: false, errors: [String(err)] }];
  }
  const out = [];
  let index = 0;
  for (const d of YAML.parseAllDocuments(text)) {
    if (d.errors?.length) {
      out.push({ index, ok: false, errors: d.errors.map(e => 'yaml: ' + e.message) });
    } else {
      let js;
      try {
        js = d.toJS();
      } catch (err) {
        out.push({ index, ok: false, errors: ['yaml: ' + (err.message ?? err)] });
        index++;
        continue;
      }
      if (js === null || js === undefined) { index++; continue; }
      if (typeof js !== 'object' || Array.isArray(js)) {
        out.push({ index, ok: false, errors: ['not-an-object'] });
      } else if (plain) {
        out.push({ index, kind: js.kind, ...(await entityVerdict(js, false)) });
      } else {
        const state = {};
        let v, json = js;
        try {
          json = substitute(js, path.dirname(file), state);
          v = await entityVerdict(json);
        } catch (err) {
          v = { ok: false, errors: ['placeholder: ' + (err.message ?? err)] };
        }
        out.push({ index, kind: js.kind, json, placeholder: !!state.used, undecidable: !!state.unknown, ...v });
      }
    }
    index++;
  }
  return out;
}

// ---------------------------------------------------------------- portico's verdict
// Problems of these rules are about other files (references, duplicates across files,
// Location targets): Backstage's per-document verdict does not include them.
const CROSS_FILE = /^(catalog|location|techdocs)\//;

function porticoRun(files) {
  const verdicts = new Map(); // "file\0index" -> [rules]; "file\0*" for file-level errors
  for (let i = 0; i < files.length; i += 500) {
    const batch = files.slice(i, i + 500);
    let stdout;
    try {
      stdout = execFileSync(portico, ['validate', '--format', 'json', ...batch], {
        maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      if (err.status !== 1) throw new Error(`portico failed (${err.status}): ${err.stderr}`);
      stdout = err.stdout;
    }
    const report = JSON.parse(stdout);
    for (const p of report.problems) {
      if (p.severity !== 'error' || CROSS_FILE.test(p.rule)) continue;
      const key = `${path.resolve(p.file)}\0${p.document ?? '*'}`;
      if (!verdicts.has(key)) verdicts.set(key, []);
      verdicts.get(key).push(`${p.line}:${p.column} ${p.rule}: ${p.message}`);
    }
  }
  return (file, index) => [
    ...(verdicts.get(`${file}\0${index}`) ?? []),
    ...(verdicts.get(`${file}\0*`) ?? []),
  ];
}

// ---------------------------------------------------------------- mutations
const set = (p, v) => e => {
  const parts = p.split('.');
  let o = e;
  for (const k of parts.slice(0, -1)) {
    if (o[k] === undefined) o[k] = {};
    if (typeof o[k] !== 'object' || o[k] === null) return false;
    o = o[k];
  }
  o[parts.at(-1)] = v;
  return true;
};
const del = p => e => {
  const parts = p.split('.');
  let o = e;
  for (const k of parts.slice(0, -1)) {
    o = o?.[k];
    if (!o || typeof o !== 'object') return false;
  }
  if (!(parts.at(-1) in o)) return false;
  delete o[parts.at(-1)];
  return true;
};
const push = (p, v) => e => {
  const parts = p.split('.');
  let o = e;
  for (const k of parts.slice(0, -1)) {
    if (o[k] === undefined) o[k] = {};
    o = o[k];
  }
  const last = parts.at(-1);
  if (o[last] === undefined) o[last] = [];
  if (!Array.isArray(o[last])) return false;
  o[last].push(v);
  return true;
};
const entry = (p, k, v) => e => {
  const parts = p.split('.');
  let o = e;
  for (const part of parts) {
    if (o[part] === undefined) o[part] = {};
    o = o[part];
  }
  if (typeof o !== 'object' || Array.isArray(o)) return false;
  o[k] = v;
  return true;
};

const MUTATIONS = {
  // envelope and root fields
  'drop apiVersion': del('apiVersion'),
  'drop kind': del('kind'),
  'drop metadata': del('metadata'),
  'drop spec': del('spec'),
  'metadata is a string': set('metadata', 'x'),
  'metadata is a list': set('metadata', []),
  'spec is a list': set('spec', []),
  'spec is null': set('spec', null),
  'root status': set('status', {}),
  'root relations': set('relations', []),
  'root foo': set('foo', 1),
  'root name': set('name', 'x'),
  'root $schema': set('$schema', 'x'),
  // apiVersion and kind
  'apiVersion v1beta1': set('apiVersion', 'backstage.io/v1beta1'),
  'apiVersion v2': set('apiVersion', 'backstage.io/v2'),
  'apiVersion no group': set('apiVersion', 'v1alpha1'),
  'apiVersion upper group': set('apiVersion', 'Backstage.io/v1alpha1'),
  'apiVersion two slashes': set('apiVersion', 'a/b/c'),
  'apiVersion empty': set('apiVersion', ''),
  'apiVersion number': set('apiVersion', 1),
  'apiVersion scaffolder': set('apiVersion', 'scaffolder.backstage.io/v1beta3'),
  'kind lower-case': e => typeof e.kind === 'string' && set('kind', e.kind.toLowerCase())(e),
  'kind unknown': set('kind', 'Widget'),
  'kind with dash': set('kind', 'My-Kind'),
  'kind empty': set('kind', ''),
  'kind number': set('kind', 5),
  // metadata.name
  'drop name': del('metadata.name'),
  'name with space': set('metadata.name', 'bad name'),
  'name leading dash': set('metadata.name', '-bad'),
  'name trailing dot': set('metadata.name', 'bad.'),
  'name 63 chars': set('metadata.name', 'a'.repeat(63)),
  'name 64 chars': set('metadata.name', 'a'.repeat(64)),
  'name dots and underscores': set('metadata.name', 'Ok.name_1-x'),
  'name unicode': set('metadata.name', 'café'),
  'name slash': set('metadata.name', 'a/b'),
  'name number': set('metadata.name', 123),
  'name empty': set('metadata.name', ''),
  'name null': set('metadata.name', null),
  // namespace
  'namespace upper-case': set('metadata.namespace', 'Team-A'),
  'namespace underscore': set('metadata.namespace', 'team_a'),
  'namespace ok': set('metadata.namespace', 'team-a'),
  'namespace double dash': set('metadata.namespace', 'team--a'),
  'namespace empty': set('metadata.namespace', ''),
  'namespace null': set('metadata.namespace', null),
  'namespace number': set('metadata.namespace', 7),
  'namespace 64 chars': set('metadata.namespace', 'a'.repeat(64)),
  // title, description, uid, etag
  'title empty': set('metadata.title', ''),
  'title number': set('metadata.title', 5),
  'title blank': set('metadata.title', ' '),
  'description number': set('metadata.description', 5),
  'description empty': set('metadata.description', ''),
  'uid empty': set('metadata.uid', ''),
  'etag number': set('metadata.etag', 5),
  // tags
  'tag with space': push('metadata.tags', 'go 1.15'),
  'tag upper-case': push('metadata.tags', 'Java'),
  'tag c++': push('metadata.tags', 'c++'),
  'tag c#': push('metadata.tags', 'c#'),
  'tag colon': push('metadata.tags', 'team:payments'),
  'tag double dash': push('metadata.tags', 'a--b'),
  'tag underscore': push('metadata.tags', 'a_b'),
  'tag dot': push('metadata.tags', 'v1.2'),
  'tag empty': push('metadata.tags', ''),
  'tag number': push('metadata.tags', 5),
  'tag 64 chars': push('metadata.tags', 'a'.repeat(64)),
  'tags is a string': set('metadata.tags', 'java'),
  'tags null': set('metadata.tags', null),
  // annotations
  'annotation two slashes': entry('metadata.annotations', 'a/b/c', 'x'),
  'annotation leading dash': entry('metadata.annotations', '-x', 'x'),
  'annotation upper prefix': entry('metadata.annotations', 'Example.com/x', 'x'),
  'annotation ok prefix': entry('metadata.annotations', 'example.com/some_key.1', 'x'),
  'annotation empty key': entry('metadata.annotations', '', 'x'),
  'annotation empty name': entry('metadata.annotations', 'example.com/', 'x'),
  'annotation 64-char name': entry('metadata.annotations', 'x'.repeat(64), 'x'),
  'annotation number value': entry('metadata.annotations', 'ok', 5),
  'annotation bool value': entry('metadata.annotations', 'ok', true),
  'annotation empty value': entry('metadata.annotations', 'ok', ''),
  'annotation null value': entry('metadata.annotations', 'ok', null),
  'annotations is a list': set('metadata.annotations', ['a']),
  // labels
  'label bad key': entry('metadata.labels', 'a b', 'x'),
  'label value with space': entry('metadata.labels', 'tier', 'front end'),
  'label value empty': entry('metadata.labels', 'tier', ''),
  'label value number': entry('metadata.labels', 'tier', 3),
  'label value dotted': entry('metadata.labels', 'example.com/tier', 'a.b_c-d'),
  // links
  'link without scheme': push('metadata.links', { url: 'example.com' }),
  'link relative': push('metadata.links', { url: '/docs' }),
  'link mailto': push('metadata.links', { url: 'mailto:team@example.com' }),
  'link ok': push('metadata.links', { url: 'https://example.com', title: 'Home', icon: 'dashboard', type: 'x' }),
  'link no url': push('metadata.links', { title: 'x' }),
  'link url number': push('metadata.links', { url: 5 }),
  'link blank title': push('metadata.links', { url: 'https://example.com', title: '  ' }),
  'link empty title': push('metadata.links', { url: 'https://example.com', title: '' }),
  'link blank icon': push('metadata.links', { url: 'https://example.com', icon: ' ' }),
  'link empty type': push('metadata.links', { url: 'https://example.com', type: '' }),
  'link is a string': push('metadata.links', 'https://example.com'),
  'links is a mapping': set('metadata.links', { url: 'https://example.com' }),
  // spec fields, common
  'drop spec.type': del('spec.type'),
  'drop spec.owner': del('spec.owner'),
  'drop spec.lifecycle': del('spec.lifecycle'),
  'drop spec.definition': del('spec.definition'),
  'drop spec.children': del('spec.children'),
  'drop spec.memberOf': del('spec.memberOf'),
  'drop spec.steps': del('spec.steps'),
  'owner number': set('spec.owner', 42),
  'owner list': set('spec.owner', ['a']),
  'owner empty': set('spec.owner', ''),
  'owner null': set('spec.owner', null),
  'owner with kind': set('spec.owner', 'group:default/team-a'),
  'type mapping': set('spec.type', {}),
  'type bool': set('spec.type', true),
  'lifecycle number': set('spec.lifecycle', 1),
  'system empty': set('spec.system', ''),
  'system list': set('spec.system', ['a']),
  'domain number': set('spec.domain', 1),
  'subcomponentOf empty': set('spec.subcomponentOf', ''),
  'subdomainOf number': set('spec.subdomainOf', 1),
  'providesApis string': set('spec.providesApis', 'api-a'),
  'providesApis number item': set('spec.providesApis', [1]),
  'consumesApis empty item': set('spec.consumesApis', ['']),
  'dependsOn mapping': set('spec.dependsOn', {}),
  'dependsOn ok': set('spec.dependsOn', ['resource:db']),
  'dependencyOf string': set('spec.dependencyOf', 'x'),
  'definition mapping': set('spec.definition', { openapi: '3.0.0' }),
  'definition empty': set('spec.definition', ''),
  'unknown spec field': set('spec.somethingElse', { any: ['thing'] }),
  // Group and User
  'children null': set('spec.children', null),
  'children string': set('spec.children', 'a'),
  'members number item': set('spec.members', [1]),
  'parent empty': set('spec.parent', ''),
  'profile string': set('spec.profile', 'x'),
  'profile email empty': set('spec.profile.email', ''),
  'profile picture number': set('spec.profile.picture', 1),
  'profile extra field': set('spec.profile.phone', 123),
  'memberOf string': set('spec.memberOf', 'team-a'),
  'memberOf empty list': set('spec.memberOf', []),
  // Location
  'presence maybe': set('spec.presence', 'maybe'),
  'presence optional': set('spec.presence', 'optional'),
  'target number': set('spec.target', 5),
  'targets string': set('spec.targets', './a.yaml'),
  'location type empty': set('spec.type', ''),
  // Template
  'parameters string': set('spec.parameters', 'x'),
  'parameters mapping': set('spec.parameters', { title: 'x', properties: {} }),
  'parameters list of strings': set('spec.parameters', ['x']),
  'steps mapping': set('spec.steps', {}),
  'step without action': push('spec.steps', { id: 'x' }),
  'step if number': push('spec.steps', { action: 'debug:log', if: 5 }),
  'step if bool': push('spec.steps', { action: 'debug:log', if: false }),
  'step input string': push('spec.steps', { action: 'debug:log', input: 'x' }),
  'output text number': set('spec.output.extra', 5),
  'output link empty url': set('spec.output.links', [{ url: '' }]),
  'output link title empty': set('spec.output.links', [{ title: '' }]),
  'presentation wrong': set('spec.presentation', { buttonLabels: { backButtonText: 1 } }),
};

// Text mutations: YAML-level changes on the source of single-document files.
const TEXT_MUTATIONS = {
  'BOM': t => '\ufeff' + t,
  'CRLF': t => t.replace(/\n/g, '\r\n'),
  'duplicate kind line': t => t.replace(/^(kind: .*)$/m, '$1\n$1'),
  'duplicate name line': t => t.replace(/^(\s+name: .*)$/m, '$1\n$1'),
  'name yes': t => t.replace(/^(\s{2}name:) .*$/m, '$1 yes'),
  'name on': t => t.replace(/^(\s{2}name:) .*$/m, '$1 on'),
  'name hex': t => t.replace(/^(\s{2}name:) .*$/m, '$1 0x1F'),
  'name octal 0o': t => t.replace(/^(\s{2}name:) .*$/m, '$1 0o17'),
  'name leading zero': t => t.replace(/^(\s{2}name:) .*$/m, '$1 007'),
  'name exp': t => t.replace(/^(\s{2}name:) .*$/m, '$1 1e3'),
  'name inf': t => t.replace(/^(\s{2}name:) .*$/m, '$1 .inf'),
  'name null': t => t.replace(/^(\s{2}name:) .*$/m, '$1 ~'),
  'name underscored number': t => t.replace(/^(\s{2}name:) .*$/m, '$1 1_000'),
  'name true': t => t.replace(/^(\s{2}name:) .*$/m, '$1 True'),
  'name date': t => t.replace(/^(\s{2}name:) .*$/m, '$1 2001-12-14'),
  'name quoted number': t => t.replace(/^(\s{2}name:) .*$/m, "$1 '123'"),
  'name custom tag': t => t.replace(/^(\s{2}name:) (.*)$/m, '$1 !ENV $2'),
  'name str tag on number': t => t.replace(/^(\s{2}name:) .*$/m, '$1 !!str 123'),
  'name anchor and alias': t => t.replace(/^(\s{2}name:) (.*)$/m, '$1 &n $2').replace(/^(spec:)$/m, '$1\n  aliased: *n'),
  'alias used 99 times': t => t.replace(/^(\s{2}name:) (.*)$/m, '$1 &n $2').replace(/^(spec:)$/m, `$1\n  aliased: [${Array(99).fill('*n').join(', ')}]`),
  'alias used 100 times': t => t.replace(/^(\s{2}name:) (.*)$/m, '$1 &n $2').replace(/^(spec:)$/m, `$1\n  aliased: [${Array(100).fill('*n').join(', ')}]`),
  'name block scalar': t => t.replace(/^(\s{2}name:) (.*)$/m, '$1 |\n    $2'),
  'name folded strip': t => t.replace(/^(\s{2}name:) (.*)$/m, '$1 >-\n    $2'),
  'name double-quoted escape': t => t.replace(/^(\s{2}name:) (.*)$/m, '$1 "$2\\t"'),
  'numeric annotation key': t => t.replace(/^(metadata:)$/m, '$1\n  annotations:\n    123: x'),
  'boolean label key': t => t.replace(/^(metadata:)$/m, '$1\n  labels:\n    true: x'),
  'null label value': t => t.replace(/^(metadata:)$/m, '$1\n  labels:\n    a: ~'),
  'complex key': t => t.replace(/^(spec:)$/m, '$1\n  ? [a, b]\n  : x'),
  'flow mapping document': t => JSON.stringify(YAML.parse(t)),
  'explicit document start and end': t => '---\n' + t + '...\n',
  'yaml 1.1 directive': t => '%YAML 1.1\n---\n' + t,
  'unknown alias': t => t.replace(/^(spec:)$/m, '$1\n  aliased: *nope'),
  'merge key at root': t => t + '<<: {x: 1}\n',
  'tab indentation': t => t.replace(/^  name:/m, '\tname:'),
  'unterminated quote': t => t.replace(/^(\s{2}name:) (.*)$/m, '$1 "$2'),
  'unclosed flow': t => t.replace(/^(\s{2}name:) (.*)$/m, '$1 [$2'),
  'bad indentation': t => t.replace(/^(\s{2}name:)/m, ' $1'),
  'trailing document marker': t => t + '---\n',
  'second document': t => t + '---\nfoo: bar\n',
  'document is a list': () => '- a\n- b\n',
  'document is a string': () => 'just text\n',
  'empty file': () => '',
  'comments only': () => '# nothing\n',
  'nul byte': t => t + '\0',
  'key with colon no space': t => t.replace(/^(\s{2}name:) (.*)$/m, '$1$2'),
};

// ---------------------------------------------------------------- main
function yamlFiles(dir) {
  const out = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) {
      if (p !== path.join(corpus, 'schema')) out.push(...yamlFiles(p));
    } else if (/\.ya?ml$/.test(ent.name)) out.push(p);
  }
  return out.sort();
}

const known = new Set(
  fs.readFileSync(new URL('./known-differences.txt', import.meta.url), 'utf8')
    .split('\n').map(l => l.trim()).filter(l => l && !l.startsWith('#')),
);

// A known difference is a case id, or a prefix of ids ending with `*` (a class of cases
// with one reason, e.g. a text mutation of any file).
const isKnown = id => known.has(id) || [...known].some(k => k.endsWith('*') && id.startsWith(k.slice(0, -1)));

function report(title, cases, verdictOf) {
  let agree = 0, skipped = 0;
  const bad = [];
  for (const c of cases) {
    if (c.undecidable) { skipped++; continue; }
    const errors = verdictOf(c.file, c.index);
    const porticoOk = errors.length === 0;
    if (porticoOk === c.ok) agree++;
    else if (isKnown(c.id)) { agree++; c.knownDifference = true; }
    else bad.push({ ...c, porticoErrors: errors });
  }
  const total = cases.length - skipped;
  console.log(`${title}: ${agree}/${total} verdicts agree` +
    (skipped ? ` (${skipped} not decidable offline: $json/$yaml from a URL)` : ''));
  for (const b of bad.slice(0, 40)) {
    console.log(`  DISAGREE ${b.id}`);
    console.log(`    backstage: ${b.ok ? 'ok' : 'error: ' + String(b.errors?.[0]).split('\n')[0]}`);
    console.log(`    portico:   ${b.porticoErrors.length ? 'error: ' + b.porticoErrors[0] : 'ok'}`);
  }
  if (bad.length > 40) console.log(`  … and ${bad.length - 40} more`);
  return bad.length;
}

const files = [...yamlFiles(corpus), ...(extra ? yamlFiles(extra) : [])];
// A file's name in case ids: relative to the corpus, or `extra/…` for --extra files.
const rel = f => (extra && f.startsWith(extra + path.sep) ? 'extra/' + path.relative(extra, f) : path.relative(corpus, f));

// 1. Self-check: this script's Backstage verdict equals oracle.mjs's where it adds nothing.
const oracleOut = execFileSync('node', [path.join(oracleDir, 'oracle.mjs'), ...files], {
  maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'],
}).toString().trim().split('\n').map(l => JSON.parse(l));
const corpusCases = [];
let selfCheckFailures = 0;
for (const file of files) {
  for (const v of await fileVerdicts(file)) {
    const id = `corpus ${rel(file)}#${v.index}`;
    corpusCases.push({ ...v, file, id });
    const o = oracleOut.find(x => x.file === file && x.index === v.index);
    const touched = v.placeholder || v.kind === 'Template';
    if (!touched && (!o || o.ok !== v.ok)) {
      selfCheckFailures++;
      console.log(`  SELF-CHECK ${id}: oracle.mjs says ${o?.ok}, this script ${v.ok}`);
    }
  }
}
console.log(`self-check against oracle.mjs: ${selfCheckFailures === 0 ? 'ok' : selfCheckFailures + ' differences'}`);

// 2. The corpus as it is.
const corpusVerdict = porticoRun(files);
let failures = report('corpus', corpusCases, corpusVerdict) + selfCheckFailures;
const templates = corpusCases.filter(c => c.kind === 'Template');
console.log(`  (of which ${templates.length} Template documents, ${corpusCases.filter(c => c.placeholder).length} with placeholders)`);

// 3. Mutations of every valid corpus document (placeholders already substituted), written
//    one document per file, plus text-level mutations of single-document files.
const mutDir = path.join(work, 'mutations');
fs.rmSync(mutDir, { recursive: true, force: true });
fs.mkdirSync(mutDir, { recursive: true });
const bases = corpusCases.filter(c => c.ok && c.json && !c.undecidable);
const mutationCases = [];
let n = 0;
const write = (text, id) => {
  const dir = path.join(mutDir, String(n++).padStart(5, '0'));
  fs.mkdirSync(dir);
  const file = path.join(dir, 'catalog-info.yaml');
  fs.writeFileSync(file, text);
  return file;
};
for (const base of bases) {
  const baseId = `${rel(base.file)}#${base.index}`;
  for (const [name, mutate] of Object.entries(MUTATIONS)) {
    const e = structuredClone(base.json);
    if (mutate(e) === false) continue;
    const text = YAML.stringify(e, { lineWidth: 0 });
    if (text === YAML.stringify(base.json, { lineWidth: 0 })) continue;
    const file = write(text);
    for (const v of await fileVerdicts(file)) {
      mutationCases.push({ ...v, file, id: `mutation ${name} of ${baseId}` });
    }
  }
}
const singleDoc = files.filter(f => {
  const c = corpusCases.filter(x => x.file === f);
  return c.length === 1 && c[0].ok && !c[0].placeholder;
});
for (const f of singleDoc) {
  const src = fs.readFileSync(f, 'utf8');
  for (const [name, mutate] of Object.entries(TEXT_MUTATIONS)) {
    const text = mutate(src);
    if (text === src && name !== 'trailing document marker') continue;
    const file = write(text);
    const vs = await fileVerdicts(file);
    for (const v of vs) {
      mutationCases.push({ ...v, file, id: `text mutation ${name} of ${rel(f)}#${v.index}` });
    }
  }
}
const mutationVerdict = porticoRun(mutationCases.map(c => c.file).filter((f, i, a) => a.indexOf(f) === i));
failures += report('mutations', mutationCases, mutationVerdict);
const okCount = mutationCases.filter(c => c.ok).length;
console.log(`  (${mutationCases.length} documents from ${n} mutated files: Backstage accepts ${okCount}, rejects ${mutationCases.length - okCount})`);

if (!keep) fs.rmSync(work, { recursive: true, force: true });
else console.log(`mutated files kept in ${mutDir}`);
process.exit(failures === 0 ? 0 : 1);
