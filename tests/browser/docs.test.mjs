// Docs and search as a reader uses them: move through the nav sidebar, jump with the table of
// contents, search from the header and land on the hit. Served by `portico serve` search covers
// entities and docs; opened from disk entities are still found and the page says docs search
// needs the site served.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  launch, newPage, fileMode, serveMode, docsPath, entityPath, pickDocs, pickComponent, displayName,
  entities, hasDocs, refOf,
  screenshot, pageProblems, axeSerious, SITE_DIR, htmlFiles,
} from './lib/harness.mjs';

/** The first doc page (site-relative path) with a table whose header cells are all empty. */
function pageWithEmptyTableHeader() {
  const emptyHeader = /<thead>\s*<tr>(\s*<th[^>]*><\/th>)+\s*<\/tr>\s*<\/thead>/;
  const page = htmlFiles(path.join(SITE_DIR, 'docs'))
    .find((p) => path.basename(p) === 'index.html' && emptyHeader.test(fs.readFileSync(p, 'utf8')));
  return page && path.relative(SITE_DIR, page);
}

/** The first doc page (site-relative path) with a code block. */
function pageWithCode() {
  const page = htmlFiles(path.join(SITE_DIR, 'docs'))
    .find((p) => path.basename(p) === 'index.html' && fs.readFileSync(p, 'utf8').includes('<div class="highlight">'));
  return page && path.relative(SITE_DIR, page);
}

/** The first doc page (site-relative path) whose HTML includes `needle`. */
function pageWith(needle) {
  const page = htmlFiles(path.join(SITE_DIR, 'docs'))
    .find((p) => path.basename(p) === 'index.html' && fs.readFileSync(p, 'utf8').includes(needle));
  return page && path.relative(SITE_DIR, page);
}

/** The table of contents: a nav whose name says so, holding in-page links. */
function toc(page) {
  return page.locator('nav[aria-label*="contents" i], nav[aria-label*="on this page" i], nav.toc, .toc nav, nav#toc, [role="navigation"][aria-label*="contents" i]').first();
}

/** Selects page text for a query: the longest word of a heading (a docs-only term). */
function queryFrom(heading) {
  const words = heading.split(/[^A-Za-z0-9-]+/).filter((w) => w.length >= 4).sort((a, b) => b.length - a.length);
  return words[0] || heading;
}

for (const makeMode of [fileMode, serveMode]) {
  describe(`docs and search (${makeMode === fileMode ? 'file://' : 'portico serve'})`, () => {
    let browser;
    let mode;
    before(async () => {
      mode = await makeMode();
      browser = await launch();
    });
    after(async () => {
      await browser?.close();
      await mode?.stop?.();
    });

    it('a table written with an empty header row shows its rows and no empty bar', async (t) => {
      const rel = pageWithEmptyTableHeader();
      if (!rel) return t.skip('no doc page of this input has a table with an empty header row');
      const page = await newPage(browser, mode);
      await page.goto(mode.url(rel));
      const table = page.locator('.docs-content table').filter({ has: page.locator('thead th:empty') }).first();
      assert.equal(await table.locator('thead tr').isVisible(), false, `${rel}: the empty header row is hidden`);
      assert.equal(await table.locator('tbody tr').first().isVisible(), true, `${rel}: the rows are shown`);
      const lastRule = await table.locator('tbody tr:last-child td').first()
        .evaluate((td) => getComputedStyle(td).borderBottomWidth);
      assert.notEqual(lastRule, '0px', `${rel}: the table is closed by a rule under its last row`);
      const headed = page.locator('.docs-content table thead th:not(:empty)');
      if (await headed.count()) assert.equal(await headed.first().isVisible(), true, 'a header with text stays');
      assert.deepEqual(pageProblems(page), []);
      await page.context().close();
    });

    it('a code block\'s Copy button puts its code on the clipboard, by mouse and by keyboard', async (t) => {
      const rel = pageWithCode();
      if (!rel) return t.skip('no doc page of this input has a code block');
      const page = await newPage(browser, mode);
      // The clipboard as the page sees it, recorded (headless Chromium has no clipboard to read).
      await page.addInitScript(() => {
        window.__copied = [];
        Object.defineProperty(navigator, 'clipboard', {
          value: { writeText: (text) => { window.__copied.push(text); return Promise.resolve(); } },
        });
      });
      await page.goto(mode.url(rel));
      const block = page.locator('.docs-content div.highlight').first();
      const code = await block.locator('pre > code').evaluate((c) => c.textContent.replace(/\n$/, ''));
      // The block's code has no inline-code box of its own behind its lines.
      assert.deepEqual(await block.locator('pre > code').evaluate((c) => {
        const s = getComputedStyle(c);
        return [s.backgroundColor, s.paddingLeft];
      }), ['rgba(0, 0, 0, 0)', '0px']);
      // Named "Copy code"; the name changes as it reports, so it is held by its class after.
      assert.equal(await block.getByRole('button', { name: 'Copy code', exact: true }).count(), 1);
      const button = block.locator('button.code-copy');
      await button.click();
      await page.waitForFunction(() => window.__copied.length === 1);
      assert.deepEqual(await page.evaluate(() => window.__copied), [code]);
      assert.equal(await button.textContent(), 'Copied code');
      assert.equal(await page.locator('[role="status"]', { hasText: 'Code copied to the clipboard' }).count(), 1);
      // By keyboard: Tab from the block's last link or the page reaches it; Enter copies again.
      await button.focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => window.__copied.length === 2);
      // The button sits inside the block, at its top right, not over the next paragraph.
      const [b, r] = [await button.boundingBox(), await block.boundingBox()];
      assert.ok(b.x + b.width <= r.x + r.width && b.y >= r.y && b.y + b.height <= r.y + r.height, JSON.stringify({ b, r }));
      assert.deepEqual(pageProblems(page), []);

      // Where the page may not write the clipboard, the code is selected for Ctrl+C.
      const refused = await newPage(browser, mode);
      await refused.addInitScript(() => {
        Object.defineProperty(navigator, 'clipboard', {
          value: { writeText: () => Promise.reject(new Error('denied')) },
        });
      });
      await refused.goto(mode.url(rel));
      const other = refused.locator('.docs-content div.highlight').first().locator('button.code-copy');
      await other.click();
      await refused.waitForFunction(() => String(window.getSelection()).length > 0);
      assert.equal(await refused.evaluate(() => String(window.getSelection()).replace(/\n$/, '')), code);
      assert.equal(await other.textContent(), 'Selected code');
      assert.equal(await refused.locator('[role="status"]', { hasText: 'press Ctrl+C' }).count(), 1);
    });

    it('==marked== text stands out in light and dark, and a bare address is a link', async (t) => {
      const rel = pageWith('<mark>');
      if (!rel) return t.skip('no doc page of this input has ==marked== text');
      for (const colorScheme of ['light', 'dark']) {
        const page = await newPage(browser, mode, { colorScheme });
        await page.goto(mode.url(rel));
        const mark = page.locator('.docs-content mark').first();
        assert.equal(await mark.isVisible(), true);
        const [back, para] = await mark.evaluate((m) => [
          getComputedStyle(m).backgroundColor, getComputedStyle(m.closest('p, li, td') || m.parentElement).backgroundColor,
        ]);
        assert.notEqual(back, para, `${rel} (${colorScheme}): the mark has a background of its own`);
        // Taken before axe, whose fetches of the stylesheets file:// refuses.
        assert.deepEqual(pageProblems(page), []);
        // axe checks the mark's text against its background, and the highlighted code of the
        // page (colour-contrast is serious).
        const violations = await axeSerious(page);
        assert.ok(violations.length === 0, `${rel} (${colorScheme}):\n${violations.join('\n')}`);
        await screenshot(page, `docs-mark-${colorScheme}-${mode.name}`);
        await page.context().close();
      }
      // magiclink: an address written bare in the text links to itself and is reached by Tab.
      const bare = htmlFiles(path.join(SITE_DIR, 'docs')).map((p) => fs.readFileSync(p, 'utf8'))
        .join('').match(/<a href="(https:\/\/[^"]+)">\1<\/a>/);
      if (!bare) return;
      const linked = pageWith(bare[0]);
      const page = await newPage(browser, mode);
      await page.goto(mode.url(linked));
      const link = page.locator('.docs-content').getByRole('link', { name: bare[1], exact: true }).first();
      assert.equal(await link.getAttribute('href'), bare[1]);
      await link.focus();
      assert.equal(await page.evaluate(() => document.activeElement.textContent), bare[1]);
      await page.context().close();
    });

    it('a link given .md-button by an attribute list is a button-shaped link, in both schemes', async (t) => {
      const rel = pageWith('class="md-button');
      if (!rel) return t.skip('no doc page of this input has an .md-button link');
      for (const colorScheme of ['light', 'dark']) {
        const page = await newPage(browser, mode, { colorScheme });
        await page.goto(mode.url(rel));
        const button = page.locator('.docs-content a.md-button').first();
        const style = await button.evaluate((a) => {
          const s = getComputedStyle(a);
          return { border: s.borderTopWidth, display: s.display, underline: s.textDecorationLine };
        });
        assert.deepEqual(style, { border: '2px', display: 'inline-block', underline: 'none' }, `${rel} (${colorScheme})`);
        // A link still: it has its page as href, and Enter follows it.
        const href = await button.getAttribute('href');
        assert.ok(href && !href.startsWith('http'), href);
        assert.deepEqual(pageProblems(page), []);
        const violations = await axeSerious(page);
        assert.ok(violations.length === 0, `${rel} (${colorScheme}):\n${violations.join('\n')}`);
        await button.focus();
        await Promise.all([page.waitForURL((u) => !u.href.endsWith(rel)), page.keyboard.press('Enter')]);
        await page.context().close();
      }
    });

    it('the Documentation card leads to an index of every docs site', async () => {
      const e = pickDocs();
      const withDocs = entities().filter(hasDocs);
      const page = await newPage(browser, mode);
      await page.goto(mode.url(''));
      await page.locator('main').getByRole('link', { name: /documentation/i }).first().click();
      await page.getByRole('heading', { level: 1, name: 'Documentation' }).waitFor();
      assert.match(page.url(), /docs\/(index\.html)?$/);
      // The main navigation marks where we are.
      const current = page.locator('header nav [aria-current="page"]');
      assert.equal((await current.textContent()).trim(), 'Docs');
      const rows = page.locator('main table tbody tr');
      assert.equal(await rows.count(), withDocs.length, 'one row per entity with docs');
      // Its docs link opens the docs home of that entity.
      const row = rows.filter({ has: page.locator(`a[title="${refOf(e)}"]`) });
      await row.locator('td').first().getByRole('link').click();
      await page.locator('main h1').first().waitFor();
      assert.ok(page.url().includes(docsPath(e)), `${page.url()} is not under ${docsPath(e)}`);
    });

    it('the nav sidebar moves between pages of an entity\'s docs', async () => {
      const e = pickDocs();
      const page = await newPage(browser, mode);
      await page.goto(mode.url(docsPath(e)));
      await page.locator('main h1').first().waitFor();
      const home = page.url();
      // Links of the docs nav that lead to another page of these docs.
      const navLinks = page.locator('main nav a[href]');
      const visibleLinks = () => navLinks.evaluateAll((as, docsRoot) => {
        const norm = (u) => u.split('#')[0].replace(/index\.html$/, '');
        const other = /on this page|contents|previous|next|breadcrumb/i;
        return as
          .map((a, i) => ({ a, i, href: a.href, text: a.textContent.trim() }))
          .filter(({ a }) => !other.test(a.closest('nav').getAttribute('aria-label') || '') &&
            !a.getAttribute('href').startsWith('#') && a.checkVisibility({ visibilityProperty: true }))
          .filter((l) => l.href.includes(docsRoot) && norm(l.href) !== norm(location.href))
          .map(({ i, href, text }) => ({ i, href, text }));
      }, docsPath(e));
      let links = await visibleLinks();
      if (links.length === 0) {
        // Sections collapsed: open the first one, as a reader would.
        const section = page.locator('main nav summary, main nav button[aria-expanded="false"]').first();
        await section.click();
        links = await visibleLinks();
      }
      assert.ok(links.length > 0, `the docs nav of ${docsPath(e)} shows links to other pages`);
      const target = links[0];
      await navLinks.nth(target.i).click();
      await page.waitForURL((u) => u.href !== home);
      const norm = (u) => u.split('#')[0].replace(/index\.html$/, '');
      assert.equal(norm(page.url()), norm(target.href), 'landed on the page the nav names');
      const h1 = (await page.locator('main h1').first().innerText()).trim();
      assert.ok(h1.length > 0, 'the page has a heading');
      // The current page is marked in the nav.
      await assert.doesNotReject(
        page.locator('nav a[aria-current="page"], nav a[class*="active"], nav a[class*="current"]').first().waitFor(),
        'the nav marks the current page (aria-current="page")');
      await screenshot(page, `docs-light-${mode.name}`);
      assert.deepEqual(pageProblems(page), []);
      await page.context().close();
    });

    it('a table of contents link scrolls to its heading', async () => {
      const e = pickDocs();
      const page = await newPage(browser, mode, { viewport: { width: 1280, height: 500 } });
      await page.goto(mode.url(docsPath(e)));
      await page.locator('main h1').first().waitFor();
      // Use the last TOC entry: the one furthest down the page.
      const t = toc(page);
      await assert.doesNotReject(t.waitFor(), 'the docs page has a table of contents');
      const link = t.locator('a[href^="#"]').last();
      const hash = await link.getAttribute('href');
      const id = decodeURIComponent(hash.slice(1));
      const target = page.locator(`[id="${id.replace(/"/g, '\\"')}"]`);
      assert.equal(await target.count(), 1, `exactly one element has id ${id}`);
      const inView = (i) => {
        const r = document.getElementById(i).getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight;
      };
      const wasInView = await page.evaluate(inView, id);
      await link.click();
      await page.waitForFunction((h) => location.hash === h, hash);
      await page.waitForFunction(inView, id);
      if (!wasInView) assert.ok(await page.evaluate(() => window.scrollY > 0), 'the page scrolled');
      await page.context().close();
    });

    it('a heading reached by its link starts below the header, at any width, with or without script', async () => {
      const e = pickDocs();
      for (const width of [1280, 1000, 390]) {
        for (const javaScriptEnabled of [true, false]) {
          const page = await newPage(browser, mode, { viewport: { width, height: 500 }, javaScriptEnabled });
          await page.goto(mode.url(docsPath(e)));
          const id = await page.locator('.docs-content h2[id]').first().getAttribute('id');
          await page.goto(mode.url(docsPath(e)) + '#' + encodeURIComponent(id));
          await page.waitForFunction((i) => {
            const r = document.getElementById(i).getBoundingClientRect();
            return r.top >= 0 && r.top < window.innerHeight;
          }, id);
          const at = await page.evaluate((i) => ({
            heading: document.getElementById(i).getBoundingClientRect().top,
            // A header that scrolls away (phones) hides nothing.
            header: Math.max(0, document.querySelector('.site-header').getBoundingClientRect().bottom),
          }), id);
          const how = `${width}px wide, script ${javaScriptEnabled ? 'on' : 'off'}`;
          assert.ok(at.heading >= at.header, `#${id} starts at ${at.heading}px, under the header ending at ${at.header}px (${how})`);
          assert.ok(at.heading < at.header + 80, `#${id} is at the top of what shows (${at.heading}px, header ${at.header}px; ${how})`);
          await page.context().close();
        }
      }
    });

    it('the docs nav and the table of contents stay below the header as the page scrolls', async () => {
      const e = pickDocs();
      const page = await newPage(browser, mode, { viewport: { width: 1280, height: 500 } });
      await page.goto(mode.url(docsPath(e)));
      await page.mouse.wheel(0, 2000);
      await page.waitForFunction(() => window.scrollY > 0);
      const at = await page.evaluate(() => ({
        header: document.querySelector('.site-header').getBoundingClientRect().bottom,
        nav: document.querySelector('.docs-nav').getBoundingClientRect().top,
        toc: document.querySelector('.docs-toc')?.getBoundingClientRect().top,
      }));
      assert.ok(at.nav >= at.header, `the docs nav starts at ${at.nav}px, under the header ending at ${at.header}px`);
      if (at.toc !== undefined) assert.ok(at.toc >= at.header, `the contents start at ${at.toc}px, under the header ending at ${at.header}px`);
      await page.context().close();
    });

    it('search from the header lands on an entity', async () => {
      const comp = pickComponent();
      const page = await newPage(browser, mode);
      await page.goto(mode.url(''));
      await page.locator('#search-input').fill(comp.metadata.name);
      await page.locator('#search-input').press('Enter');
      const hit = page.locator(`main a[href*="catalog/default/component/${comp.metadata.name}/"]`).first();
      await hit.waitFor();
      await screenshot(page, `search-light-${mode.name}`);
      await hit.click();
      await page.waitForURL((u) => u.pathname.endsWith(entityPath(comp)) || u.pathname.endsWith(entityPath(comp).replace(/index\.html$/, '')));
      await assert.doesNotReject(page.locator('h1').filter({ hasText: displayName(comp) }).first().waitFor());
      assert.deepEqual(pageProblems(page), []);
      await page.context().close();
    });

    it(makeMode === fileMode
      ? 'search from disk finds docs text, or says clearly that docs search is unavailable'
      : 'search from the header finds docs text and lands on the page', async () => {
      const e = pickDocs();
      const page = await newPage(browser, mode);
      // A heading of a docs page below the top one: text only the docs contain.
      await page.goto(mode.url(docsPath(e)));
      const heading = (await page.locator('main h2').first().innerText()).replace(/[¶#]/g, '').trim();
      const query = queryFrom(heading);
      await page.locator('#search-input').fill(query);
      await page.locator('#search-input').press('Enter');
      await page.waitForURL(/search\.html/);
      const hit = page.locator('main a[href*="/docs/"]').first();
      // From disk, docs search may be unavailable (WASM/fetch cannot load), but it must say so.
      const note = page.locator('main').getByText(
        /((docs|documentation|search index)\b.*\b(unavailable|not available|could not|cannot|can't|needs?|requires?|only))|serve/i).first();
      const first = mode.name === 'file'
        ? await Promise.race([hit.waitFor().then(() => 'hit', () => null), note.waitFor().then(() => 'note', () => null)])
        : (await hit.waitFor(), 'hit');
      assert.ok(first, 'from disk, search shows docs hits or a note that docs search is unavailable');
      if (first === 'hit') {
        const status = await page.locator('#search-page-status').innerText();
        const n = parseInt(status, 10);
        assert.match(status, n === 1 ? /^1 result for “/ : /^\d+\+? results for “/, 'the count agrees with its noun');
        await screenshot(page, `search-docs-${mode.name}`);
        await hit.click();
        await page.waitForURL((u) => u.pathname.includes('/docs/'));
        await assert.doesNotReject(
          page.locator('main').getByText(new RegExp(query, 'i')).first().waitFor(), `the landing page contains "${query}"`);
      } else {
        assert.ok(await note.isVisible(), 'the note about docs search is visible');
        // Entities are still found from disk (the next test checks landing on one).
      }
      assert.deepEqual(pageProblems(page), []);
      await page.context().close();
    });
  });
}
