// Shared harness for the browser tests: the built site, the served site, Chromium, axe-core,
// screenshots and the entities the tests pick from api/entities.json.
//
// Environment (run.sh sets all of it):
//   SITE_DIR        the site `portico build` wrote (opened from file://)
//   SITE_INPUT      the input that site was built from (what `portico serve` is started on)
//   PORTICO_BIN     the portico binary
//   SCREENSHOT_DIR  where PNG screenshots go (default: a new temp dir)
//   CHROMIUM        the browser (default /usr/bin/chromium)

import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the browser tests through tests/browser/run.sh`);
  return v;
}

export const SITE_DIR = path.resolve(required('SITE_DIR'));
export const SITE_INPUT = path.resolve(required('SITE_INPUT'));
export const PORTICO_BIN = path.resolve(required('PORTICO_BIN'));
export const SCREENSHOT_DIR = path.resolve(
  process.env.SCREENSHOT_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'portico-screenshots-')),
);
fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });

/** How long one wait for a page condition may take before the test fails (ms). */
export const WAIT = 10_000;

// ---------------------------------------------------------------------------------------------
// Browser

export const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: LAUNCH_ARGS,
  });
}

/**
 * A new browser context and page that record what goes wrong on the page: uncaught errors,
 * console errors, and every request that leaves the site (the site must ship all its assets).
 */
export async function newPage(browser, mode, options = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  context.setDefaultTimeout(WAIT);
  context.setDefaultNavigationTimeout(WAIT);
  const page = await context.newPage();
  page.problems = { errors: [], console: [], external: [], broken: [] };
  page.on('pageerror', (e) => page.problems.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') page.problems.console.push(m.text());
  });
  // A page's own assets must load: a 404 or an unreadable file is a broken page.
  page.on('response', (r) => {
    if (r.status() >= 400 && r.url().startsWith(mode.base)) page.problems.broken.push(`${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    const err = r.failure()?.errorText || '';
    if (!/ERR_ABORTED/.test(err) && r.url().startsWith(mode.base)) page.problems.broken.push(`${err} ${r.url()}`);
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(mode.base) && !u.startsWith('data:') && !u.startsWith('blob:')) {
      page.problems.external.push(u);
    }
  });
  return page;
}

/**
 * A site of its own for one test file: `files` ({ 'svc/catalog-info.yaml': text, … }) written
 * under a new temporary directory's `input/`, built by `portico build` into its `site/`. Returns
 * the directory (the caller removes it) and the site opened from file://.
 */
export function buildSite(prefix, files) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(work, 'input', rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  execFileSync(PORTICO_BIN, ['build', 'input', '--out', 'site'], { cwd: work, stdio: 'pipe' });
  const base = pathToFileURL(path.join(work, 'site') + path.sep).href;
  return { work, mode: { name: 'file', base, url: (rel) => base + rel } };
}

// ---------------------------------------------------------------------------------------------
// The two ways the site is opened

/** The site opened from disk. */
export function fileMode() {
  const base = pathToFileURL(SITE_DIR + path.sep).href;
  return {
    name: 'file',
    base,
    url: (rel = '') => base + dirIndex(rel),
  };
}

// file:// has no directory index: a URL ending in / means its index.html.
function dirIndex(rel) {
  rel = rel.replace(/^\/+/, '');
  if (rel === '' || rel.endsWith('/')) return rel + 'index.html';
  const q = rel.search(/[?#]/);
  if (q > 0 && rel[q - 1] === '/') return rel.slice(0, q) + 'index.html' + rel.slice(q);
  return rel;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

/**
 * `portico serve SITE_INPUT --port P` as a child process on 127.0.0.1; resolves once its home
 * page answers 200. `stop()` ends it (and only it).
 */
export async function serveMode(input = SITE_INPUT) {
  const port = await freePort();
  // Started beside its input with a relative path, as a person would run it.
  const child = spawn(PORTICO_BIN, ['serve', path.basename(input), '--port', String(port)], {
    cwd: path.dirname(input),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  let exited = null;
  const exit = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );
  const base = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 120_000; // serve builds the site before it listens
  for (;;) {
    if (exited) {
      throw new Error(`portico serve exited (${JSON.stringify(exited)}) before answering:\n${log}`);
    }
    if ((await httpStatus(base)) === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`portico serve did not answer 200 on ${base} within 120 s:\n${log}`);
    }
    // Poll the port: this waits for a condition, it is not a fixed sleep.
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name: 'served',
    base,
    url: (rel = '') => base + rel.replace(/^\/+/, ''),
    log: () => log,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(timer);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The catalog, as the site publishes it

let entitiesCache;
/** Every entity of api/entities.json (a Backstage list: an array, or `{items: [...]}`). */
export function entities() {
  if (!entitiesCache) {
    const file = path.join(SITE_DIR, 'api', 'entities.json');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    entitiesCache = Array.isArray(doc) ? doc : doc.items;
    if (!Array.isArray(entitiesCache)) throw new Error(`${file}: no entity list`);
  }
  return entitiesCache;
}

export const ns = (e) => (e.metadata.namespace || 'default').toLowerCase();
export const kindOf = (e) => e.kind.toLowerCase();
export const refOf = (e) => `${kindOf(e)}:${ns(e)}/${e.metadata.name}`.toLowerCase();
export const entityPath = (e) => `catalog/${ns(e)}/${kindOf(e)}/${e.metadata.name}/index.html`;
export const docsPath = (e) => `docs/${ns(e)}/${kindOf(e)}/${e.metadata.name}/`;
export const displayName = (e) => e.metadata.title || e.metadata.name;

export function relationTargets(e, type) {
  return (e.relations || [])
    .filter((r) => r.type === type)
    .map((r) => (r.targetRef || refFromTarget(r.target)).toLowerCase());
}

function refFromTarget(t) {
  return `${t.kind}:${t.namespace || 'default'}/${t.name}`;
}

export function byRef(ref) {
  return entities().find((e) => refOf(e) === ref.toLowerCase());
}

export function hasDocs(e) {
  const a = e.metadata.annotations || {};
  return typeof a['backstage.io/techdocs-ref'] === 'string' &&
    fs.existsSync(path.join(SITE_DIR, docsPath(e), 'index.html'));
}

/** The markup fixture run.sh adds to the input (tests/browser/fixtures/markup). */
export const FIXTURE_REF = 'component:default/browser-fixture-markup';

/** The first entity (in a stable order) that satisfies `pred`, else throws with `what`. */
export function pick(what, pred) {
  const found = entities()
    .filter((e) => refOf(e) !== FIXTURE_REF && e.metadata.name !== 'browser-fixture-team')
    .sort((a, b) => refOf(a).localeCompare(refOf(b)))
    .find(pred);
  if (!found) throw new Error(`example-repo has no ${what} (looked in api/entities.json)`);
  return found;
}

/** A component with an owning group, relations to draw, and preferably docs. */
export function pickComponent() {
  const owned = (e) => relationTargets(e, 'ownedBy').some((r) => r.startsWith('group:'));
  const rich = (e) => (e.relations || []).length >= 3;
  try {
    return pick('component with owner, relations and docs', (e) =>
      e.kind === 'Component' && owned(e) && rich(e) && hasDocs(e));
  } catch {
    return pick('component owned by a group', (e) => e.kind === 'Component' && owned(e));
  }
}

export function pickOpenApi() {
  return pick('OpenAPI API', (e) => e.kind === 'API' && String(e.spec?.type).toLowerCase() === 'openapi');
}

export function pickDocs() {
  // The entity whose docs have the most pages gives the nav and the TOC something to do.
  const withDocs = entities().filter((e) => refOf(e) !== FIXTURE_REF && hasDocs(e));
  if (withDocs.length === 0) throw new Error('no entity with rendered docs under docs/');
  const pages = (e) => countHtml(path.join(SITE_DIR, docsPath(e)));
  return withDocs
    .map((e) => [pages(e), refOf(e), e])
    .sort((a, b) => b[0] - a[0] || a[1].localeCompare(b[1]))[0][2];
}

function countHtml(dir) {
  return htmlFiles(dir).length;
}

/** Every `.html` file below `dir`, as sorted absolute paths. */
export function htmlFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

// ---------------------------------------------------------------------------------------------
// What a person sees

/** Screenshot into SCREENSHOT_DIR as NAME.png: the full page, cut at 2,400 CSS px (long tables). */
export async function screenshot(page, name) {
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  const { width, height } = await page.evaluate(() => ({
    width: document.documentElement.clientWidth,
    height: document.documentElement.scrollHeight,
  }));
  await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width, height: Math.min(height, 2400) } });
  return file;
}

/** Visible rows of the catalog table. */
export function visibleRows(page) {
  return page.locator('main table tbody tr').filter({ visible: true });
}

/** Is focus visible on the focused element: an outline or a box-shadow that is not none. */
export async function focusStyle(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadow = s.boxShadow && s.boxShadow !== 'none';
    const r = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      text: (el.textContent || '').trim().slice(0, 60),
      href: el.getAttribute('href'),
      inMain: !!el.closest('main'),
      visible: outline || shadow,
      style: `outline: ${s.outlineStyle} ${s.outlineWidth}; box-shadow: ${s.boxShadow}`,
      box: { x: r.x, y: r.y, width: r.width, height: r.height },
    };
  });
}

/** The page is no wider than the viewport (no horizontal scrolling). */
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const over = doc.scrollWidth - doc.clientWidth;
    if (over <= 1) return null;
    // Name the widest culprits to make the failure actionable.
    const culprits = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > doc.clientWidth + 1 && r.width > 0) {
        const cls = el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '';
        culprits.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls} right=${Math.round(r.right)}`);
      }
    }
    return { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, culprits: culprits.slice(0, 8) };
  });
}

/** Relative luminance (0 dark … 1 light) of the page background as painted. */
export async function backgroundLuminance(page) {
  return page.evaluate(() => {
    const parse = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    let [r, g, b, a] = parse(getComputedStyle(document.body).backgroundColor);
    if (a === 0 || r === undefined) [r, g, b, a] = parse(getComputedStyle(document.documentElement).backgroundColor);
    if (a === 0 || r === undefined) return 1; // transparent: the canvas is white
    const lin = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  });
}

// ---------------------------------------------------------------------------------------------
// axe-core

const axeSource = fs.readFileSync(path.join(here, '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** Runs axe on the page; returns the serious and critical violations, formatted for a person. */
export async function axeSerious(page) {
  await page.addScriptTag({ content: axeSource });
  const results = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  return bad.map((v) =>
    `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
    v.nodes.slice(0, 5).map((n) => `    at ${n.target.join(' ')}\n      ${(n.failureSummary || '').replace(/\n/g, '\n      ')}`).join('\n') +
    (v.nodes.length > 5 ? `\n    … and ${v.nodes.length - 5} more` : ''));
}

/** Fails with the page's own errors and any request that left the site. */
export function pageProblems(page) {
  const p = page.problems;
  const lines = [
    ...p.errors.map((e) => `uncaught: ${e}`),
    ...p.external.map((u) => `request outside the site: ${u}`),
    ...p.broken.map((u) => `broken asset or link: ${u}`),
  ];
  return lines;
}

// ---------------------------------------------------------------------------------------------
// The key pages (for axe and screenshots)

/** The first scorecard page on disk: scorecards/<id>/index.html, else scorecards/index.html. */
export function scorecardPath() {
  const dir = path.join(SITE_DIR, 'scorecards');
  if (!fs.existsSync(dir)) return null;
  const sub = fs.readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'index.html')))
    .map((d) => d.name).sort();
  if (sub.length) return `scorecards/${sub[0]}/index.html`;
  return fs.existsSync(path.join(dir, 'index.html')) ? 'scorecards/index.html' : null;
}

/**
 * [name, () => site-relative path] of each page a person lands on most. The path is computed when
 * called, so a missing kind of page fails only its own test.
 */
export function keyPages() {
  const comp = () => pickComponent();
  return [
    ['home', () => ''],
    ['catalog', () => 'catalog/'],
    ['entity', () => entityPath(comp())],
    ['group', () => entityPath(byRef(relationTargets(comp(), 'ownedBy')[0]))],
    ['api', () => entityPath(pickOpenApi())],
    ['system', () => entityPath(pick('system', (e) => e.kind === 'System' && relationTargets(e, 'hasPart').length > 0))],
    ['problems', () => 'problems/index.html'],
    ['docs', () => docsPath(pickDocs())],
    ['docs-index', () => 'docs/index.html'],
    ['search', () => `search.html?q=${encodeURIComponent(comp().metadata.name)}`],
    ['scorecard', () => {
      const p = scorecardPath();
      if (!p) throw new Error('no scorecard page under scorecards/');
      return p;
    }],
  ];
}
