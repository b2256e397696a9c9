// `portico serve` as an author uses it: edit a catalog file while the page is open, and the page
// shows the change by itself (rebuild on change + reload), on its own copy of the input.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  SITE_INPUT, launch, newPage, serveMode, entityPath, byRef, FIXTURE_REF, pageProblems, entities, hasDocs, docsPath,
} from './lib/harness.mjs';

describe('portico serve', () => {
  let browser;
  let mode;
  let input;
  before(async () => {
    input = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-serve-input-'));
    fs.cpSync(SITE_INPUT, input, { recursive: true });
    mode = await serveMode(input);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await mode?.stop?.();
    if (input) fs.rmSync(input, { recursive: true, force: true });
  });

  it('the first page from a fresh server finishes loading (six parallel asset requests)', async () => {
    // A docs page needs ~6 requests at once (CSS, JS, images): Chromium opens parallel keep-alive
    // connections, and every one must be answered, not only those a busy worker happens to pick.
    const page = await newPage(browser, mode);
    const pending = new Set();
    page.on('request', (r) => pending.add(r.url()));
    page.on('requestfinished', (r) => pending.delete(r.url()));
    page.on('requestfailed', (r) => pending.delete(r.url()));
    const docs = entities().find(hasDocs);
    const rel = docs ? docsPath(docs) : '';
    try {
      await page.goto(mode.url(rel));
    } catch (e) {
      assert.fail(`GET /${rel} did not finish loading (${e.message.split('\n')[0]}); still pending: ${[...pending].join(', ')}`);
    }
    await page.context().close();
  });

  it('listens on 127.0.0.1 only and serves directory URLs', async () => {
    assert.match(mode.base, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await newPage(browser, mode);
    const res = await page.goto(mode.url(entityPath(byRef(FIXTURE_REF)).replace(/index\.html$/, '')));
    assert.equal(res.status(), 200, 'a directory URL serves its index.html');
    const missing = await page.request.get(mode.url('no/such/page.html'));
    assert.equal(missing.status(), 404, 'a missing page is a 404');
    await page.context().close();
  });

  it('rebuilds when a catalog file changes and the open page reloads itself', async () => {
    const page = await newPage(browser, mode);
    await page.goto(mode.url(entityPath(byRef(FIXTURE_REF))));
    await page.locator('main').getByText('end of description').first().waitFor();
    const file = path.join(input, 'browser-fixture-markup', 'catalog-info.yaml');
    const stamp = `edited-${process.pid}`;
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('end of description', `${stamp} end`));
    // No navigation by the test: the page must pick up the rebuild itself.
    await assert.doesNotReject(
      page.locator('main').getByText(stamp).first().waitFor({ timeout: 60_000 }),
      'the open page shows the edited description without a manual reload');
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });
});
