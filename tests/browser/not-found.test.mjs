// The 404 page, as a reader meets it after following a stale link: served by `portico serve`,
// and by a GitHub Pages-like host that publishes the site under a project folder (/portal/) and
// answers every missing address there with the site's 404.html. The page must look like the rest
// of the portal at any depth, offer the pages that match the words of the address, and work by
// keyboard.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  SITE_DIR, buildSite, launch, newPage, serveMode, axeSerious, pageProblems, screenshot, focusStyle,
} from './lib/harness.mjs';

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' };

/** A static host serving `dir` under `/portal/`, with `portal/404.html` (status 404) for every
 * address it does not have, as GitHub Pages does for a project site. */
function pagesHost(dir) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      const url = decodeURIComponent(req.url.split(/[?#]/)[0]);
      let file = null;
      if (url.startsWith('/portal/') && !url.includes('..')) {
        file = path.join(dir, url.slice('/portal/'.length));
        if (url.endsWith('/')) file = path.join(file, 'index.html');
        if (!fs.existsSync(file) || !fs.statSync(file).isFile()) file = null;
      }
      const status = file ? 200 : 404;
      file = file || path.join(dir, '404.html');
      res.writeHead(status, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(fs.readFileSync(file));
    });
    server.listen(0, '127.0.0.1', () => {
      const base = `http://127.0.0.1:${server.address().port}/`;
      // Closing drops the browser's kept-alive connections too: `server.close` alone waits
      // for them, and a test that failed with a page still loading would hang instead of
      // reporting its failure.
      const close = () => new Promise((r) => { server.closeAllConnections(); server.close(r); });
      resolve({ name: 'pages', base, url: (rel) => base + rel, close });
    });
  });
}

/** The page's problems, less the 404 of the address itself (that is the point). */
function problemsBesides(page, url) {
  return pageProblems(page).filter((p) => p !== `broken asset or link: 404 ${url}`);
}

async function styled(page) {
  return page.evaluate(() => [...document.styleSheets].some((s) => {
    try { return /\/assets\/portico\.css$/.test(s.href || '') && s.cssRules.length > 10; } catch (e) { return false; }
  }));
}

describe('404 page', () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  it('portico serve answers a missing docs page with the 404 page, matching pages and a working keyboard path', async () => {
    const mode = await serveMode();
    try {
      const page = await newPage(browser, mode);
      const missing = 'docs/default/component/payments-api/old-settlement-runbook/';
      const response = await page.goto(mode.url(missing));
      assert.equal(response.status(), 404);
      assert.equal(await page.locator('h1').innerText(), 'Page not found');
      assert.equal(await page.locator('#not-found-path').innerText(), `/${missing}`);
      assert.ok(await styled(page), 'the portal\'s stylesheet applies at this depth');
      // Pages matching "payments old settlement runbook", found by the static search index.
      const hits = page.locator('#search-page-results a');
      await hits.first().waitFor();
      const hrefs = await hits.evaluateAll((as) => as.map((a) => a.href));
      assert.ok(hrefs.some((h) => /payments/.test(h)), hrefs.join('\n'));
      assert.ok(hrefs.length <= 8, `the best few, not a results page: ${hrefs.length}`);
      assert.equal(await page.locator('#search-page-status').innerText(), 'The best matches for “payments old settlement runbook”');
      assert.ok(hrefs.every((h) => h.startsWith(mode.base)), hrefs.join('\n'));
      assert.match(await page.locator('#not-found-search').innerText(), /^All results for “.*payments.*runbook”$/);
      // Words are marked where they start, not inside others ("old" in "holding").
      const marked = await page.locator('#search-page-results').innerHTML();
      assert.match(marked, /<mark>/);
      assert.doesNotMatch(marked, /[\p{L}\p{N}]<mark>/u);
      // The header's search box is left for the reader.
      assert.equal(await page.locator('#search-input').inputValue(), '');
      await screenshot(page, 'not-found');
      assert.deepEqual(await axeSerious(page), []);

      // Keyboard: the skip link stays on this page and moves focus to the content.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
      const focus = await focusStyle(page);
      assert.ok(focus && focus.visible, `a visible focus ring: ${JSON.stringify(focus)}`);
      await page.keyboard.press('Enter');
      await page.waitForURL(mode.url(`${missing}#main`));
      assert.equal(await page.locator('h1').innerText(), 'Page not found');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');

      // Dark mode reads as well.
      const dark = await newPage(browser, mode, { colorScheme: 'dark' });
      await dark.goto(mode.url(missing));
      await dark.locator('#search-page-results a').first().waitFor();
      assert.deepEqual(await axeSerious(dark), []);
      await screenshot(dark, 'not-found-dark');
      await dark.context().close();

      // The first match opens a real page.
      const first = hrefs[0];
      const opened = await page.goto(first);
      assert.equal(opened.status(), 200, first);
      assert.deepEqual(problemsBesides(page, mode.url(missing)), []);
    } finally {
      await mode.stop();
    }
  });

  it('on a GitHub Pages project site (/portal/) it finds the site\'s root in the address', async () => {
    const host = await pagesHost(SITE_DIR);
    let page;
    try {
      page = await newPage(browser, host);
      const missing = 'portal/docs/default/component/payments-api/nope/deeper/';
      const response = await page.goto(host.url(missing));
      assert.equal(response.status(), 404);
      assert.ok(await styled(page), 'stylesheet from /portal/assets/');
      await page.locator('#search-page-results a').first().waitFor();
      await page.getByRole('link', { name: /^Catalog Every component/ }).click();
      await page.waitForURL(host.url('portal/catalog/index.html'));
      assert.equal(await page.locator('h1').first().innerText(), 'Catalog');
      assert.deepEqual(problemsBesides(page, host.url(missing)), []);
    } finally {
      await page?.context().close();
      await host.close();
    }
  });

  it('on *.github.io an address with nothing to go by is taken to be under the project\'s folder', async () => {
    // The host is acme.github.io, answered from disk by the browser itself, as GitHub Pages
    // answers a project site: /portal/… from the site, anything missing with its 404.html.
    const base = 'https://acme.github.io/';
    const mode = { name: 'github.io', base, url: (rel) => base + rel };
    const page = await newPage(browser, mode);
    await page.route(`${base}**`, (route) => {
      const url = decodeURIComponent(new URL(route.request().url()).pathname);
      let file = url.startsWith('/portal/') ? path.join(SITE_DIR, url.slice('/portal/'.length)) : null;
      if (file && url.endsWith('/')) file = path.join(file, 'index.html');
      const found = file && fs.existsSync(file) && fs.statSync(file).isFile();
      file = found ? file : path.join(SITE_DIR, '404.html');
      route.fulfill({ status: found ? 200 : 404, contentType: TYPES[path.extname(file)], body: fs.readFileSync(file) });
    });
    const missing = 'portal/payments-api-old';
    const response = await page.goto(mode.url(missing));
    assert.equal(response.status(), 404);
    assert.ok(await styled(page), 'stylesheet from /portal/assets/');
    await page.locator('#search-page-results a').first().waitFor();
    await page.locator('.brand').click();
    await page.waitForURL(mode.url('portal/index.html'));
    assert.deepEqual(problemsBesides(page, mode.url(missing)), []);
  });

  it('with site.url its links start at the site\'s path, at an address with nothing to go by', async () => {
    const { work } = buildSite('portico-404-', {
      'portico.yaml': 'site:\n  title: Acme portal\n  url: https://acme.github.io/portal/\n',
      'svc/catalog-info.yaml':
        'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ledger\n' +
        'spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n',
    });
    const host = await pagesHost(path.join(work, 'site'));
    let page;
    try {
      page = await newPage(browser, host);
      const missing = 'portal/ledger-old';
      const response = await page.goto(host.url(missing));
      assert.equal(response.status(), 404);
      assert.ok(await styled(page), 'stylesheet from /portal/assets/');
      assert.equal(await page.locator('.brand').getAttribute('href'), '/portal/index.html');
      // "ledger old" finds the component.
      const hit = page.locator('#search-page-results a').first();
      await hit.waitFor();
      assert.match(await hit.getAttribute('href'), /\/portal\/catalog\/default\/component\/ledger\/index\.html$/);
      await page.locator('.brand').click();
      await page.waitForURL(host.url('portal/index.html'));
      assert.deepEqual(problemsBesides(page, host.url(missing)), []);
    } finally {
      await page?.context().close();
      await host.close();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
