// axe-core on the pages people land on most, in light and dark mode: no serious or critical
// violation. Served by `portico serve` (what CI publishes is the same files).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, serveMode, keyPages, axeSerious, pageProblems } from './lib/harness.mjs';

describe('accessibility (axe-core)', () => {
  let browser;
  let mode;
  before(async () => {
    mode = await serveMode();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await mode?.stop?.();
  });

  for (const [name, rel] of keyPages()) {
    for (const colorScheme of ['light', 'dark']) {
      it(`${name} page (${colorScheme}): no serious or critical violations`, async () => {
        const page = await newPage(browser, mode, { colorScheme });
        await page.goto(mode.url(rel()));
        await page.locator('main').waitFor();
        if (name === 'search') await page.locator('main a[href*="catalog/"]').first().waitFor();
        const violations = await axeSerious(page);
        assert.ok(violations.length === 0, `${page.url()}:\n${violations.join('\n')}`);
        assert.deepEqual(pageProblems(page), []);
        await page.context().close();
      });
    }
  }
});
