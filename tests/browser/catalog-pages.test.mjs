// The catalog of a large organisation: the first page of rows is HTML (readable without
// JavaScript); with JavaScript the whole table comes from catalog/entities.js and pages, filters
// and sorts in the browser, with the page in the URL, by mouse and keyboard, axe clean. The
// site is built here from 250 generated components, opened from file://.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { buildSite, launch, newPage, visibleRows, axeSerious, pageProblems, screenshot, focusStyle } from './lib/harness.mjs';

const N = 250;
const name = (i) => `svc-${String(i).padStart(3, '0')}`;

describe('catalog pages (250 entities, file://)', () => {
  let browser;
  let work;
  let mode;
  before(async () => {
    const files = {};
    for (const team of ['team-a', 'team-b']) {
      files[`${team}/catalog-info.yaml`] =
        `apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: ${team}\nspec:\n  type: team\n  children: []\n`;
    }
    for (let i = 0; i < N; i++) {
      files[`${name(i)}/catalog-info.yaml`] =
        `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name(i)}\n` +
        `  description: Service number ${i}${i === 217 ? ' handles the needle' : ''}.\n` +
        `spec:\n  type: service\n  lifecycle: production\n  owner: ${i % 2 ? 'team-b' : 'team-a'}\n`;
    }
    ({ work, mode } = buildSite('portico-pages-', files));
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const firstNames = (page) => visibleRows(page).evaluateAll((rows) =>
    rows.map((r) => r.querySelector('td a').textContent.trim()));

  it('without JavaScript: the first page of rows, and how many there are', async () => {
    const page = await newPage(browser, mode, { javaScriptEnabled: false });
    await page.goto(mode.url('catalog/index.html'));
    const rows = await firstNames(page);
    assert.equal(rows.length, 100);
    assert.equal(rows[0], name(0));
    assert.match(await page.locator('main').innerText(), /first 100 of 252 entities/);
    await page.context().close();
  });

  it('pages through every entity, with the page in the URL, by mouse and keyboard', async () => {
    const page = await newPage(browser, mode);
    await page.goto(mode.url('catalog/index.html'));
    const pager = page.getByRole('navigation', { name: /catalog pages/i });
    await pager.waitFor();
    assert.match(await pager.innerText(), /Page 1 of 3/);
    assert.equal(await page.getByRole('button', { name: /previous page/i }).isDisabled(), true);
    await page.getByRole('button', { name: /next page/i }).click();
    await page.waitForFunction(() => /page=2/.test(location.hash));
    assert.equal((await firstNames(page))[0], name(100), 'page 2 starts with the 101st entity');
    await screenshot(page, 'catalog-pages-2');
    // Reloading the URL restores the page.
    const again = await newPage(browser, mode);
    await again.goto(page.url());
    await again.waitForFunction(() => /Page 2 of 3/.test(document.getElementById('pager-status').textContent));
    assert.equal((await firstNames(again))[0], name(100));
    await again.context().close();
    // Keyboard: the next button by Enter; on the last page focus moves to "Previous".
    await page.getByRole('button', { name: /next page/i }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /page=3/.test(location.hash));
    const rows = await firstNames(page);
    assert.equal(rows.length, 52);
    assert.deepEqual(rows.slice(49), [name(N - 1), 'team-a', 'team-b'], 'components, then groups');
    const focus = await focusStyle(page);
    assert.ok(focus && /previous/i.test(focus.text) && focus.visible, `focus on Previous: ${JSON.stringify(focus)}`);
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });

  it('filters and sorts the whole catalog, not just the page shown', async () => {
    const page = await newPage(browser, mode);
    await page.goto(mode.url('catalog/index.html'));
    await page.getByRole('searchbox').fill('needle');
    await page.waitForFunction(() => document.querySelectorAll('main table tbody tr').length === 1);
    assert.deepEqual(await firstNames(page), [name(217)]);
    assert.equal(await page.getByRole('navigation', { name: /catalog pages/i }).isHidden(), true);
    // Owner filter with a sort, from a shared URL: page 2 of team-b's 125 components, descending.
    await page.goto(mode.url('catalog/index.html#owner=group%3Adefault%2Fteam-b&sort=name&dir=desc&page=2'));
    await page.reload();
    await page.waitForFunction(() => /Page 2 of 2/.test(document.getElementById('pager-status').textContent));
    const rows = await firstNames(page);
    assert.equal(rows.length, 25);
    assert.equal(rows[0], name(49), 'descending odd numbers: 249 … 51 on page 1, 49 first on page 2');
    assert.match(await page.locator('#catalog-count').innerText(), /125 of 252 entities/);
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });

  for (const colorScheme of ['light', 'dark']) {
    it(`axe (${colorScheme}): no serious or critical violations on a paged catalog`, async () => {
      const page = await newPage(browser, mode, { colorScheme });
      await page.goto(mode.url('catalog/index.html#page=2'));
      await page.getByRole('navigation', { name: /catalog pages/i }).waitFor();
      const violations = await axeSerious(page);
      assert.ok(violations.length === 0, violations.join('\n'));
      await page.context().close();
    });
  }
});
