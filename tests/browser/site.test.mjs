// The portal as a developer uses it, opened from disk (file://) and served by `portico serve`:
// home counts, the catalog table and its filters, owner links, entity pages with their relations
// graph, API pages, entity text shown as text, and keyboard use.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  SITE_DIR, launch, newPage, fileMode, serveMode, entities, entityPath, displayName, refOf,
  relationTargets, byRef, pickComponent, pickOpenApi, visibleRows, focusStyle, screenshot,
  pageProblems, FIXTURE_REF, kindOf, ns, pickDocs,
} from './lib/harness.mjs';

const KIND_WORDS = {
  component: /components?/i,
  api: /apis?/i,
  system: /systems?/i,
  domain: /domains?/i,
  resource: /resources?/i,
  group: /groups?|teams?/i,
  user: /users?|people|members?/i,
};

/** Selects the <option> whose value or label matches `re` in the select `loc`; returns its value. */
async function selectMatching(loc, re) {
  const options = await loc.evaluate((sel) =>
    [...sel.options].map((o) => ({ value: o.value, label: o.label.trim() })));
  const found = options.find((o) => re.test(o.value) || re.test(o.label));
  assert.ok(found, `no option matching ${re} in ${JSON.stringify(options.slice(0, 30))}`);
  await loc.selectOption(found.value);
  return found.value;
}

/** The catalog's filter controls, found by their accessible names. */
function filters(page) {
  const main = page.locator('main');
  return {
    kind: main.getByLabel(/^\s*kind\s*$/i),
    owner: main.getByLabel(/^\s*owner\s*$/i),
    text: main.getByRole('searchbox').or(main.getByLabel(/filter|search|text/i).and(main.locator('input'))).first(),
  };
}

/** Absolute hrefs of the entity links in the visible catalog rows. */
async function rowEntityLinks(page) {
  return visibleRows(page).evaluateAll((rows) =>
    rows.flatMap((r) => [...r.querySelectorAll('a[href*="catalog/"], a[href]')]
      .map((a) => a.href)
      .filter((h) => /\/catalog\/[^/]+\/[^/]+\/[^/]+\/(index\.html)?([?#].*)?$/.test(h))
      .slice(0, 1)));
}

const sameEntityUrl = (href, e) => href.split(/[?#]/)[0].replace(/index\.html$/, '').endsWith(entityPath(e).replace(/index\.html$/, ''));

for (const makeMode of [fileMode, serveMode]) {
  describe(`site (${makeMode === fileMode ? 'file://' : 'portico serve'})`, () => {
    let browser;
    let mode;
    const all = () => entities();

    before(async () => {
      mode = await makeMode();
      browser = await launch();
    });
    after(async () => {
      await browser?.close();
      await mode?.stop?.();
    });

    it('home shows the catalog counts and links to the catalog', async () => {
      const page = await newPage(browser, mode);
      await page.goto(mode.url(''));
      await page.locator('main').waitFor();
      const counts = {};
      for (const e of all()) counts[kindOf(e)] = (counts[kindOf(e)] || 0) + 1;
      const missing = await page.evaluate(({ counts, words }) => {
        const els = [...document.querySelectorAll('main *')];
        const out = [];
        for (const [kind, n] of Object.entries(counts)) {
          if (!words[kind]) continue;
          const re = new RegExp(words[kind], 'i');
          const num = new RegExp(`(^|\\D)${n}(\\D|$)`);
          const ok = els.some((el) => {
            const t = (el.innerText || '').replace(/\s+/g, ' ').trim();
            return t.length > 0 && t.length <= 80 && num.test(t) && re.test(t);
          });
          if (!ok) out.push(`${kind}: ${n}`);
        }
        return out;
      }, { counts, words: Object.fromEntries(Object.entries(KIND_WORDS).map(([k, v]) => [k, v.source])) });
      assert.deepEqual(missing, [], `home does not show these counts next to their kind: ${missing.join(', ')}`);
      const catalogLink = page.locator('a[href*="catalog/"]').first();
      await assert.doesNotReject(catalogLink.waitFor(), 'home links to the catalog');
      await screenshot(page, `home-light-${mode.name}`);
      assert.deepEqual(pageProblems(page), []);
      await page.context().close();
    });

    it('catalog lists every entity and filters by kind, owner and text, with the state in the URL', async () => {
      const page = await newPage(browser, mode);
      await page.goto(mode.url('catalog/'));
      await page.locator('main table').waitFor();
      const listed = all().filter((e) => e.kind !== 'Location');
      // Every page of the table (a large catalog is paged, see catalog-pages.test.mjs).
      const hrefs = await rowEntityLinks(page);
      const next = page.getByRole('button', { name: /next page/i });
      while (await next.isVisible() && await next.isEnabled()) {
        const before = page.url();
        await next.click();
        await page.waitForFunction((u) => location.href !== u, before);
        hrefs.push(...await rowEntityLinks(page));
      }
      await page.goto(mode.url('catalog/'));
      await page.locator('main table').waitFor();
      const absent = listed.filter((e) => !hrefs.some((h) => sameEntityUrl(h, e))).map(refOf);
      assert.deepEqual(absent, [], 'every entity has a row linking to its page');
      const total = await visibleRows(page).count();
      await screenshot(page, `catalog-light-${mode.name}`);

      // Kind.
      const f = filters(page);
      const kindValue = await selectMatching(f.kind, /^component/i);
      const components = all().filter((e) => e.kind === 'Component');
      await page.waitForFunction(
        ([n]) => [...document.querySelectorAll('main table tbody tr')].filter((r) => r.offsetParent !== null).length === n,
        [components.length]);
      assert.match(decodeURIComponent(page.url()), /kind=component/i, 'the kind filter is in the URL');

      // Owner, on top of kind.
      const comp = pickComponent();
      const ownerRef = relationTargets(comp, 'ownedBy')[0];
      const owner = byRef(ownerRef);
      assert.ok(owner, `owner ${ownerRef} of ${refOf(comp)} is in api/entities.json`);
      const ownerRe = new RegExp(`(^|[:/\\s])${owner.metadata.name}$|^${displayName(owner)}$`, 'i');
      await selectMatching(f.owner, ownerRe);
      const expected = components.filter((e) => relationTargets(e, 'ownedBy').includes(ownerRef));
      await page.waitForFunction(
        ([n]) => [...document.querySelectorAll('main table tbody tr')].filter((r) => r.offsetParent !== null).length === n,
        [expected.length]);
      const ownerHrefs = await rowEntityLinks(page);
      for (const e of expected) {
        assert.ok(ownerHrefs.some((h) => sameEntityUrl(h, e)), `${refOf(e)} is listed under owner ${ownerRef}`);
      }
      const url = page.url();
      assert.match(decodeURIComponent(url), new RegExp(`owner=[^&#]*${owner.metadata.name}`, 'i'), 'the owner filter is in the URL');

      // Reloading the URL restores the filtered view.
      const again = await newPage(browser, mode);
      await again.goto(url);
      await again.locator('main table').waitFor();
      await again.waitForFunction(
        ([n]) => [...document.querySelectorAll('main table tbody tr')].filter((r) => r.offsetParent !== null).length === n,
        [expected.length]);
      assert.equal(await filters(again).kind.inputValue(), kindValue, 'kind filter restored from the URL');
      await again.context().close();

      // Text, from a fresh catalog.
      await page.goto(mode.url('catalog/'));
      await page.locator('main table').waitFor();
      const query = comp.metadata.name;
      await filters(page).text.fill(query);
      await page.waitForFunction(
        ([n]) => [...document.querySelectorAll('main table tbody tr')].filter((r) => r.offsetParent !== null).length < n,
        [total]);
      const textHrefs = await rowEntityLinks(page);
      assert.ok(textHrefs.some((h) => sameEntityUrl(h, comp)), `${refOf(comp)} matches the text "${query}"`);
      const rowTexts = await visibleRows(page).allTextContents();
      for (const t of rowTexts) {
        assert.ok(t.toLowerCase().includes(query.toLowerCase()), `row "${t.trim().slice(0, 80)}" does not contain "${query}"`);
      }
      await page.waitForFunction((q) => decodeURIComponent(location.href).includes(q), query);
      assert.deepEqual(pageProblems(page), []);
      await page.context().close();
    });

    it('catalog sorts by a column, by mouse and by keyboard', async () => {
      const page = await newPage(browser, mode);
      await page.goto(mode.url('catalog/'));
      await page.locator('main table').waitFor();
      const firstCells = () => visibleRows(page).evaluateAll((rows) =>
        rows.map((r) => (r.cells[0]?.textContent || '').trim().toLowerCase()));
      const header = page.locator('main table thead th').first();
      const control = header.locator('button, a').first();
      // Sorted by the locale's collation or by code points: either reads as sorted to a person.
      const inOrder = (a, cmp, dir) => a.every((v, i) => i === 0 || (dir === 'ascending' ? cmp(a[i - 1], v) <= 0 : cmp(a[i - 1], v) >= 0));
      const byCode = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
      const sorted = (a, dir) => inOrder(a, (x, y) => x.localeCompare(y), dir) || inOrder(a, byCode, dir);
      await control.click();
      await page.waitForFunction(() => /ascending|descending/.test(
        document.querySelector('main table thead th')?.getAttribute('aria-sort') || ''));
      const dir1 = await header.getAttribute('aria-sort');
      assert.ok(sorted(await firstCells(), dir1), `rows are sorted ${dir1} by the first column`);
      await control.focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction((d) =>
        (document.querySelector('main table thead th')?.getAttribute('aria-sort') || d) !== d, dir1);
      const dir2 = await header.getAttribute('aria-sort');
      assert.ok(sorted(await firstCells(), dir2), `rows are sorted ${dir2} after Enter`);
      await page.context().close();
    });

    it('entity page links its docs, and the docs link back to the entity', async () => {
      const e = pickDocs();
      const page = await newPage(browser, mode);
      await page.goto(mode.url(entityPath(e)));
      const toDocs = page.locator(`main a[href*="docs/${ns(e)}/${kindOf(e)}/${e.metadata.name}/"]`).first();
      await toDocs.click();
      await page.waitForURL((u) => u.pathname.includes(`/docs/${ns(e)}/${kindOf(e)}/${e.metadata.name}/`));
      await assert.doesNotReject(page.locator('main h1').first().waitFor(),
        `the docs link opens a page, not a directory (${page.url()}; from file:// a link must name index.html)`);
      const back = page.locator(`a[href*="catalog/${ns(e)}/${kindOf(e)}/${e.metadata.name}/"]`).first();
      await back.click();
      await page.waitForURL((u) => sameEntityUrl(u.href, e));
      assert.deepEqual(pageProblems(page), []);
      await page.context().close();
    });

    it('an owner link in the catalog lands on the group page, which lists what the group owns', async () => {
      const page = await newPage(browser, mode);
      const comp = pickComponent();
      const owner = byRef(relationTargets(comp, 'ownedBy')[0]);
      await page.goto(mode.url('catalog/'));
      await page.locator('main table').waitFor();
      await filters(page).text.fill(comp.metadata.name);
      const row = visibleRows(page).filter({ has: page.locator(`a[href*="/${comp.metadata.name}/"]`) }).first();
      const ownerLink = row.locator(`a[href*="group/${owner.metadata.name}/"]`).first();
      await ownerLink.click();
      await page.waitForURL((u) => sameEntityUrl(u.href, owner));
      await assert.doesNotReject(
        page.locator('h1').filter({ hasText: displayName(owner) }).first().waitFor(),
        `group page heading names ${displayName(owner)}`);
      const owned = page.locator(`main a[href*="component/${comp.metadata.name}/"]`).first();
      await assert.doesNotReject(owned.waitFor(), `group page lists ${refOf(comp)} among what it owns`);
      await screenshot(page, `group-light-${mode.name}`);
      assert.deepEqual(pageProblems(page), []);
      await page.context().close();
    });

    it('entity page shows its about card and a visible relations graph (also without JavaScript)', async () => {
      const comp = pickComponent();
      for (const javaScriptEnabled of [true, false]) {
        const page = await newPage(browser, mode, { javaScriptEnabled });
        await page.goto(mode.url(entityPath(comp)));
        await assert.doesNotReject(
          page.locator('h1').filter({ hasText: displayName(comp) }).first().waitFor(), 'entity heading');
        const owner = byRef(relationTargets(comp, 'ownedBy')[0]);
        await assert.doesNotReject(page.locator(`main a[href*="group/${owner.metadata.name}/"]`).first().waitFor(),
          'about card links the owner');
        // The relations graph: an inline SVG with nodes, drawn at a real size.
        const graphs = await page.locator('main svg').evaluateAll((svgs) => svgs.map((s) => {
          const r = s.getBoundingClientRect();
          const st = getComputedStyle(s);
          return {
            width: r.width, height: r.height,
            shown: st.display !== 'none' && st.visibility !== 'hidden' && parseFloat(st.opacity) > 0,
            labels: [...s.querySelectorAll('text')].map((t) => t.textContent.trim()).filter(Boolean),
            shapes: s.querySelectorAll('rect, circle, ellipse, polygon, path').length,
            links: s.querySelectorAll('a').length,
          };
        }));
        const graph = graphs.find((g) => g.labels.length >= 2);
        assert.ok(graph, `an inline SVG with at least two labelled nodes (found ${JSON.stringify(graphs)})`);
        assert.ok(graph.shown && graph.width > 100 && graph.height > 50, `graph drawn at a visible size: ${JSON.stringify(graph)}`);
        assert.ok(graph.labels.some((l) => l.includes(comp.metadata.name) || l.includes(displayName(comp))),
          `graph shows the entity itself: ${graph.labels.join(', ')}`);
        assert.ok(graph.labels.some((l) => l.includes(owner.metadata.name) || l.includes(displayName(owner))),
          `graph shows the owner: ${graph.labels.join(', ')}`);
        if (javaScriptEnabled) {
          await screenshot(page, `entity-light-${mode.name}`);
          assert.deepEqual(pageProblems(page), []);
        }
        await page.context().close();
      }
    });

    it('API page lists the OpenAPI operations and offers the raw definition', async () => {
      const api = pickOpenApi();
      const page = await newPage(browser, mode);
      await page.goto(mode.url(entityPath(api)));
      await page.locator('main').waitFor();
      const def = String(api.spec.definition || '');
      // Paths as written in a YAML (`  /pets:`) or JSON (`"/pets": {`) definition.
      const paths = [...new Set([
        ...[...def.matchAll(/^\s{2,4}['"]?(\/[^\s'":]*)['"]?:\s*$/gm)].map((m) => m[1]),
        ...[...def.matchAll(/"(\/[^"]*)"\s*:\s*\{/g)].map((m) => m[1]),
      ])];
      assert.ok(paths.length > 0, `${refOf(api)}: found no paths in its definition to look for`);
      const text = await page.locator('main').innerText();
      for (const p of paths) assert.ok(text.includes(p), `operation path ${p} is shown`);
      assert.match(text, /\b(GET|POST|PUT|PATCH|DELETE)\b/i, 'HTTP methods are shown');
      const raw = page.locator('main a[download], main a').filter({ hasText: /raw|download|definition/i }).first();
      const href = await raw.getAttribute('href');
      assert.ok(href, 'a link to the raw definition');
      const target = new URL(href, page.url());
      if (mode.name === 'file') {
        assert.ok(fs.existsSync(decodeURIComponent(target.pathname)), `raw definition ${target.pathname} exists`);
      } else {
        const res = await page.request.get(target.href);
        assert.equal(res.status(), 200, `GET ${target.href}`);
        assert.ok((await res.text()).length > 0, 'raw definition is not empty');
      }
      await screenshot(page, `api-light-${mode.name}`);
      assert.deepEqual(pageProblems(page), []);
      await page.context().close();
    });

    it('markup in entity text is shown as text, never run', async () => {
      const fixture = byRef(FIXTURE_REF);
      assert.ok(fixture, 'the markup fixture (tests/browser/fixtures/markup) is in the site');
      const page = await newPage(browser, mode);
      const pages = [entityPath(fixture), 'catalog/', `search.html?q=${encodeURIComponent('browser-fixture')}`,
        entityPath(byRef('group:default/browser-fixture-team'))];
      for (const rel of pages) {
        await page.goto(mode.url(rel));
        await page.locator('main').waitFor();
        if (rel.startsWith('search')) {
          await page.locator('main a[href*="browser-fixture-markup"]').first().waitFor();
        }
        assert.equal(await page.evaluate(() => window.__porticoXss), undefined, `${rel}: fixture script ran`);
        assert.equal(await page.locator('a[href^="javascript:" i]').count(), 0, `${rel}: javascript: link`);
        assert.equal(await page.locator('main b').filter({ hasText: /^bold$/ }).count(), 0, `${rel}: <b> from the title became an element`);
      }
      await page.goto(mode.url(entityPath(fixture)));
      const text = await page.locator('main').innerText();
      assert.ok(text.includes('Fixture <b>bold</b> & "quoted"'), 'title shown literally');
      assert.ok(text.includes('<script>window.__porticoXss = "script"</script>'), 'script tag shown as text');
      assert.ok(text.includes(`<img src="x" onerror="window.__porticoXss = 'img'">`), 'img tag shown as text');
      assert.deepEqual(pageProblems(page), []);
      await page.context().close();
    });

    it('keyboard: skip link first, then the search box, with visible focus; the catalog filters work by keyboard', async () => {
      const page = await newPage(browser, mode);
      await page.goto(mode.url(''));
      await page.locator('main').waitFor();
      await page.keyboard.press('Tab');
      const first = await focusStyle(page);
      assert.ok(first && first.tag === 'a' && /^#/.test(first.href || '') && /skip/i.test(first.text),
        `first Tab reaches a skip link, got ${JSON.stringify(first)}`);
      assert.ok(first.visible, `skip link focus is visible (${first.style})`);
      assert.ok(first.box.width > 0 && first.box.height > 0 && first.box.y >= 0, 'skip link is on screen when focused');
      await screenshot(page, `keyboard-skip-link-${mode.name}`);
      // Before anything in <main>, Tab reaches the header search box; every stop shows focus.
      const stops = [];
      for (let i = 0; i < 10; i++) {
        await page.keyboard.press('Tab');
        const s = await focusStyle(page);
        stops.push(s);
        assert.ok(s && s.visible, `focus is visible on ${JSON.stringify(s)}`);
        if (s.id === 'search-input' || s.inMain) break;
      }
      const last = stops.at(-1);
      assert.equal(last.id, 'search-input', `the search box comes before the main content: ${JSON.stringify(stops)}`);
      // The skip link moves focus past the header.
      await page.goto(mode.url(''));
      await page.locator('main').waitFor();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => location.hash.length > 1);
      await page.keyboard.press('Tab');
      const afterSkip = await focusStyle(page);
      assert.ok(afterSkip && afterSkip.inMain, `after the skip link, Tab goes into <main>: ${JSON.stringify(afterSkip)}`);

      // The catalog kind filter and text filter by keyboard only.
      await page.goto(mode.url('catalog/'));
      await page.locator('main table').waitFor();
      const total = await visibleRows(page).count();
      let reached = null;
      for (let i = 0; i < 40 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate(() => {
          const el = document.activeElement;
          if (!el || !el.closest('main')) return null;
          if (el.tagName === 'SELECT' || (el.tagName === 'INPUT' && /^(search|text)$/.test(el.type))) return el.tagName.toLowerCase();
          return null;
        });
      }
      assert.ok(reached, 'Tab reaches a catalog filter');
      const fs1 = await focusStyle(page);
      assert.ok(fs1.visible, `filter focus is visible (${fs1.style})`);
      if (reached === 'select') {
        await page.keyboard.press('ArrowDown');
      } else {
        await page.keyboard.type(pickComponent().metadata.name);
      }
      await page.waitForFunction(
        ([n]) => [...document.querySelectorAll('main table tbody tr')].filter((r) => r.offsetParent !== null).length < n,
        [total]);
      assert.deepEqual(pageProblems(page), []);
      await page.context().close();
    });
  });
}

// A guard against an empty site passing: run.sh's build must have produced the pages we test.
describe('site on disk', () => {
  it('has the Backstage-shaped URLs the issues specify', () => {
    for (const e of entities()) {
      assert.ok(fs.existsSync(path.join(SITE_DIR, entityPath(e))), `${entityPath(e)} exists`);
    }
    assert.ok(fs.existsSync(path.join(SITE_DIR, 'index.html')), 'index.html');
    assert.ok(fs.existsSync(path.join(SITE_DIR, 'search.html')), 'search.html');
  });
});
