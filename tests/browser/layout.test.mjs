// What a person sees: light, dark and phone renderings of the key pages, saved as screenshots in
// SCREENSHOT_DIR; dark mode really is dark; nothing overflows a phone's width.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, fileMode, keyPages, screenshot, horizontalOverflow, backgroundLuminance, pageProblems,
  entityPath, pickComponent,
} from './lib/harness.mjs';

const VIEWS = {
  light: { colorScheme: 'light' },
  dark: { colorScheme: 'dark' },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  'phone-dark': { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, colorScheme: 'dark' },
};

describe('layout and screenshots (file://)', () => {
  let browser;
  const mode = fileMode();
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  for (const [name, rel] of keyPages()) {
    for (const [view, options] of Object.entries(VIEWS)) {
      // Overflow is checked on every page; the brief's minimum is home and catalog.
      it(`${name} page (${view}) renders without horizontal overflow`, async () => {
        const page = await newPage(browser, mode, options);
        await page.goto(mode.url(rel()));
        await page.locator('main').waitFor();
        await screenshot(page, `${name}-${view}`);
        const lum = await backgroundLuminance(page);
        if (view.includes('dark')) assert.ok(lum < 0.2, `dark mode background is dark (luminance ${lum.toFixed(2)})`);
        else assert.ok(lum > 0.5, `light mode background is light (luminance ${lum.toFixed(2)})`);
        const over = await horizontalOverflow(page);
        assert.equal(over, null, `page is wider than the viewport: ${JSON.stringify(over)}`);
        assert.deepEqual(pageProblems(page), []);
        await page.context().close();
      });
    }
  }

  it('an entity\'s name beside its kind badge is underlined, not told apart by colour alone', async () => {
    // axe (link-in-text-block) flags a name shorter than its badge ("Group Data") otherwise.
    const page = await newPage(browser, mode, VIEWS.light);
    await page.goto(mode.url(entityPath(pickComponent())));
    const links = page.locator('.badge ~ a.entity-link:not(.dangling)');
    assert.ok(await links.count() > 0, 'the relations list shows badges with names');
    const lines = await links.evaluateAll((els) => els.map((a) => getComputedStyle(a).textDecorationLine));
    assert.ok(lines.every((l) => l.includes('underline')), `every such name is underlined: ${JSON.stringify(lines)}`);
    await page.context().close();
  });

  it('on a phone, a wide relations graph opens with its entity in view', async () => {
    const page = await newPage(browser, mode, VIEWS.phone);
    await page.goto(mode.url(entityPath(pickComponent())));
    const box = page.locator('.graph-scroll').first();
    await box.scrollIntoViewIfNeeded();
    const wide = await box.evaluate((el) => el.scrollWidth > el.clientWidth);
    assert.ok(wide, 'the graph is wider than a phone (else there is nothing to check)');
    const inView = await box.evaluate((el) => {
      const b = el.getBoundingClientRect();
      const f = el.querySelector('.graph-node.focus').getBoundingClientRect();
      return f.left >= b.left - 1 && f.right <= b.right + 1;
    });
    assert.ok(inView, 'the focused entity is inside the visible part of the graph');
    await screenshot(page, 'graph-phone');
    await page.context().close();
  });

  for (const view of ['light', 'phone']) {
    it(`scorecard checks line up whatever their outcome's label (${view})`, async () => {
      const page = await newPage(browser, mode, VIEWS[view]);
      await page.goto(mode.url(entityPath(pickComponent())));
      await page.locator('.check-list').first().waitFor();
      const lists = await page.locator('.check-list').evaluateAll((els) => els.map((list) => ({
        notApplicable: list.querySelectorAll('.outcome.o-not_applicable').length,
        lefts: [...list.querySelectorAll(':scope > .check > .check-body')]
          .map((b) => Math.round(b.getBoundingClientRect().left)),
      })));
      // "not applicable" is the longest label: without one there is nothing to compare.
      assert.ok(lists.some((l) => l.notApplicable > 0 && l.lefts.length > 1),
        `a check list with a not-applicable check: ${JSON.stringify(lists)}`);
      for (const l of lists) {
        assert.ok(l.lefts.every((x) => Math.abs(x - l.lefts[0]) <= 1),
          `every check's text starts at the same place: ${JSON.stringify(l.lefts)}`);
      }
      await page.context().close();
    });
  }
});
