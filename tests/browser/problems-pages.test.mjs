// The problems page of an organisation with hundreds of problems: each long section lists its
// first 200 rows and links to its own pages, which a reader walks by keyboard and back, axe
// clean in light and dark mode. The site is built here from 210 components that each depend
// on a component that does not exist (210 dangling references), opened from file://.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { buildSite, launch, newPage, axeSerious, pageProblems, screenshot, focusStyle } from './lib/harness.mjs';

const N = 210;
const name = (i) => `svc-${String(i).padStart(3, '0')}`;

describe('problems pages (210 dangling references, file://)', () => {
  let browser;
  let work;
  let mode;
  before(async () => {
    const files = {
      'team/catalog-info.yaml':
        'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n',
    };
    for (let i = 0; i < N; i++) {
      files[`${name(i)}/catalog-info.yaml`] =
        `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name(i)}\n` +
        `spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  dependsOn: [component:gone-${i}]\n`;
    }
    ({ work, mode } = buildSite('portico-problems-', files));
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('lists the first 200 dangling references and leads by keyboard to all of them, page by page', async () => {
    const page = await newPage(browser, mode);
    await page.goto(mode.url('problems/index.html'));
    const dangling = page.locator('#dangling');
    assert.equal(await dangling.locator('tbody tr').count(), 200);
    assert.match(await dangling.innerText(), /Showing the first 200 of 210\./);
    // Keyboard: from the section's last row, Tab reaches the link to the whole list; Enter.
    await dangling.locator('tbody tr').last().getByRole('link').focus();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    assert.equal(focused, 'All 210 dangling references', 'the next stop after the list');
    const focus = await focusStyle(page);
    assert.ok(focus && focus.visible, `a visible focus ring: ${JSON.stringify(focus)}`);
    await page.keyboard.press('Enter');
    await page.waitForURL(/problems\/dangling\.html$/);
    assert.equal(await page.locator('h1').innerText(), 'Dangling references');
    assert.equal(await page.locator('main tbody tr').count(), 200);
    assert.match(await page.locator('main').innerText(), /Rows 1–200 of 210\./);
    assert.match(await page.title(), /Dangling references \(1 of 2\)/);
    await screenshot(page, 'problems-dangling-1');
    // Next page: the last ten, in the order of the full list.
    await page.getByRole('link', { name: 'Next' }).first().click();
    await page.waitForURL(/problems\/dangling-2\.html$/);
    const targets = await page.locator('main tbody tr td:nth-child(3)').allInnerTexts();
    assert.equal(targets.length, 10);
    assert.equal(targets[9], 'component:default/gone-209');
    // Back through the breadcrumb.
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Problems' }).click();
    await page.waitForURL(/problems\/index\.html$/);
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });

  for (const rel of ['problems/index.html', 'problems/dangling.html', 'problems/validation-2.html']) {
    for (const colorScheme of ['light', 'dark']) {
      it(`${rel} (${colorScheme}): no serious or critical axe violations`, async () => {
        const page = await newPage(browser, mode, { colorScheme });
        await page.goto(mode.url(rel));
        await page.locator('main').waitFor();
        // Before axe: from file:// its fetch of the stylesheets fails (by design of file://).
        assert.deepEqual(pageProblems(page), []);
        const violations = await axeSerious(page);
        assert.ok(violations.length === 0, `${page.url()}:\n${violations.join('\n')}`);
        await page.context().close();
      });
    }
  }
});
