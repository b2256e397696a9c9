// Mermaid diagrams in docs (```mermaid fences): drawn in the browser by the copy of Mermaid the
// site ships, from file:// as from a server, nothing fetched from elsewhere. The reader sees the
// drawing with its source folded beneath (opened by keyboard too); a diagram Mermaid cannot read
// keeps its source in view with the reason; a page without diagrams does not load Mermaid.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { buildSite, launch, newPage, axeSerious, pageProblems, screenshot } from './lib/harness.mjs';

const FENCE = '```';
const files = {
  'checkout/catalog-info.yaml':
    'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: checkout\n' +
    '  annotations:\n    backstage.io/techdocs-ref: dir:.\n' +
    'spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n',
  'checkout/mkdocs.yml': 'site_name: Checkout\nnav:\n  - Flow: index.md\n  - Plain: plain.md\n',
  'checkout/docs/index.md': [
    '# Checkout flow',
    '',
    'How an order moves.',
    '',
    `${FENCE}mermaid`,
    'flowchart LR',
    '  cart[Cart service] -->|places| order[Order ledger]',
    '  order --> pay{Payment gateway}',
    FENCE,
    '',
    '## Broken',
    '',
    `${FENCE}mermaid`,
    'this is not a diagram',
    FENCE,
    '',
  ].join('\n'),
  'checkout/docs/plain.md': '# Plain\n\nNo diagrams here.\n\n```python\nprint("hi")\n```\n',
  'team-a/catalog-info.yaml':
    'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n',
};

describe('Mermaid diagrams in docs (file://)', () => {
  let browser;
  let work;
  let mode;
  before(async () => {
    ({ work, mode } = buildSite('portico-diagrams-', files));
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const url = (page) => mode.url(`docs/default/component/checkout/${page}`);

  it('draws a diagram with its labels, the source folded beneath and opened by keyboard', async () => {
    const page = await newPage(browser, mode);
    await page.goto(url('index.html'));
    const drawing = page.locator('.diagram-drawing svg').first();
    await drawing.waitFor();
    // The labels are the diagram's own, drawn as text in the SVG.
    for (const label of ['Cart service', 'Order ledger', 'Payment gateway', 'places']) {
      assert.ok(await drawing.getByText(label, { exact: true }).count() > 0, `the drawing shows "${label}"`);
    }
    const box = await drawing.boundingBox();
    assert.ok(box.width > 200 && box.height > 40, `drawn at a readable size (${box.width}x${box.height})`);
    // The source: folded, then opened with the keyboard.
    const source = page.locator('details.diagram-source').first();
    assert.equal(await source.evaluate((d) => d.open), false);
    assert.equal(await source.locator('pre').isVisible(), false);
    await source.locator('summary').focus();
    await page.keyboard.press('Enter');
    assert.equal(await source.evaluate((d) => d.open), true);
    assert.match(await source.locator('pre').innerText(), /cart\[Cart service\] -->\|places\| order\[Order ledger\]/);
    await screenshot(page, 'docs-diagram');
    assert.deepEqual(pageProblems(page), []);
    assert.deepEqual(await axeSerious(page), []);
    await page.context().close();
  });

  it('a diagram Mermaid cannot read keeps its source in view with the reason', async () => {
    const page = await newPage(browser, mode);
    await page.goto(url('index.html'));
    const error = page.locator('.diagram-error');
    await error.waitFor();
    assert.equal(await error.count(), 1, 'only the broken diagram has a note');
    assert.match(await error.innerText(), /^This diagram could not be drawn: .+/);
    await screenshot(page, 'docs-diagram-error');
    const broken = page.locator('.diagram').nth(1);
    assert.equal(await broken.locator('svg').count(), 0, 'no drawing, and no error picture from Mermaid');
    assert.equal(await broken.locator('pre').innerText(), 'this is not a diagram\n');
    assert.equal(await broken.locator('pre').isVisible(), true);
    // Mermaid leaves nothing of the failed attempt elsewhere on the page.
    assert.equal(await page.locator('body > [id*="portico-diagram"]').count(), 0);
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });

  it('without JavaScript the source shows as code', async () => {
    const page = await newPage(browser, mode, { javaScriptEnabled: false });
    await page.goto(url('index.html'));
    const pre = page.locator('.diagram pre.mermaid').first();
    assert.equal(await pre.isVisible(), true);
    assert.match(await pre.innerText(), /^flowchart LR\n/);
    await page.context().close();
  });

  it('a page without diagrams does not load Mermaid', async () => {
    const page = await newPage(browser, mode);
    const requested = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(url('plain/index.html'));
    await page.locator('h1').waitFor();
    assert.equal(requested.filter((u) => u.includes('mermaid')).length, 0, requested.join('\n'));
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });
});
