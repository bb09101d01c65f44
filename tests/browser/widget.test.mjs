// Browser test: the widget on the demo shop. It loads nothing but its launcher until opened,
// stays under its size budget, cannot be reached by the shop's CSS (Shadow DOM), speaks French
// and English, is driven by keyboard with ARIA roles, fits a 360 px phone, leaves an email when
// nobody is online, and reports purchases (ChatWidget.track → visitor.converted).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startChatd, launchBrowser, repoRoot } from './harness.mjs';
import { watchedPage, widget, noErrors, within } from './actors.mjs';

let chatd, browser;
before(async () => { chatd = await startChatd(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await chatd?.stop(); chatd?.cleanup(); });

const shadow = (sel) => `#chat-widget-host >> ${sel}`;

test('only the launcher loads until the shopper opens the chat; then it connects', async () => {
  const errors = [];
  const page = await watchedPage(await browser.newContext(), errors);
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  let sockets = 0;
  page.on('websocket', () => sockets++);
  const encodings = {};
  page.on('response', (r) => { encodings[new URL(r.url()).pathname] = r.headers()['content-encoding']; });
  await page.goto(chatd.url('/'));
  const open = page.getByTestId('chat-open');
  await open.waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(await open.getAttribute('aria-expanded'), 'false');
  assert.ok(!requests.includes('/widget/chat.js'), 'the panel is not loaded before it is opened');
  assert.equal(sockets, 0);
  await open.click();
  await page.waitForFunction(() => !!localStorage.getItem('chat.visitor_token'));
  assert.ok(requests.includes('/widget/chat.js'));
  assert.equal(sockets, 1);
  // Both parts of the widget go out gzipped.
  assert.equal(encodings['/widget.js'], 'gzip');
  assert.equal(encodings['/widget/chat.js'], 'gzip');
  const token = await page.evaluate(() => localStorage.getItem('chat.visitor_token'));
  assert.match(token, /^v[0-9a-f]{32}\.[0-9a-f]{40}$/);
  noErrors(errors);
});

test('the widget weighs less than 25 KB gzipped', () => {
  const files = ['widget.js', 'widget/chat.js'].map((f) => readFileSync(path.join(repoRoot, 'web-widget', f)));
  const size = gzipSync(Buffer.concat(files), { level: 9 }).length;
  assert.ok(size < 25 * 1024, `widget is ${size} bytes gzipped`);
});

test('the shop\'s CSS cannot reach the widget (Shadow DOM)', async () => {
  const page = await browser.newPage();
  await page.goto(chatd.url('/shop/linen-shirt.html'));
  await page.addStyleTag({ content: 'button, textarea { display: none !important; } * { font-size: 2px !important; }' });
  await page.getByTestId('chat-open').waitFor({ state: 'visible' });
  await page.getByTestId('chat-open').click();
  await page.getByTestId('chat-input').waitFor({ state: 'visible' });
  await page.close();
});

test('keyboard, ARIA and English texts; usable on a 360 px screen', async () => {
  const page = await browser.newPage({ viewport: { width: 360, height: 640 } });
  await page.goto(chatd.url('/shop/linen-shirt.html'));
  // The shop page is French; a shop may load the English widget instead.
  await page.evaluate(() => {
    document.getElementById('chat-widget-host').remove();
    delete window.ChatWidget;
    const s = document.createElement('script');
    s.src = '/widget.js';
    s.dataset.lang = 'en';
    document.body.appendChild(s);
  });
  const open = page.getByRole('button', { name: 'Chat with us' });
  await open.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Customer service' });
  await dialog.waitFor();
  // Focus goes to the message box; the panel fits the phone's width.
  await page.waitForFunction(() => document.getElementById('chat-widget-host').shadowRoot.activeElement?.dataset.testid === 'chat-input');
  const box = await dialog.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360 && box.width >= 340, JSON.stringify(box));
  const send = await page.getByTestId('chat-send').boundingBox();
  assert.ok(send.x + send.width <= 360 && send.y + send.height <= 640, JSON.stringify(send));
  await page.keyboard.type('What are your delivery times?');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=chat-message][data-author=bot]').first().waitFor();
  assert.equal(await page.getByRole('log').count(), 1);
  // Escape closes the panel and gives the focus back to the launcher.
  await page.getByTestId('chat-input').press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await open.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.evaluate(() => document.getElementById('chat-widget-host').shadowRoot.activeElement?.dataset.testid), 'chat-open');
  await page.close();
});

test('nobody online: the shopper leaves an email; a purchase is reported', async () => {
  const errors = [];
  const page = await watchedPage(await browser.newContext(), errors);
  await page.goto(chatd.url('/shop/ceramic-vase.html'));
  const w = widget(page);
  await w.open();
  await w.say('<b>Bonjour</b> <img src=x onerror="window.__pwned=1">');
  assert.equal(await page.locator(shadow('.log img, .log b')).count(), 0);
  await page.getByTestId('chat-handoff').click();
  const form = page.getByTestId('chat-offline-form');
  await form.waitFor();
  // A bad address is refused with a clear message, nothing sent.
  await page.getByTestId('chat-offline-email').fill('pas-une-adresse');
  await page.getByTestId('chat-offline-text').fill('Le vase existe-t-il en bleu ?');
  await page.getByTestId('chat-offline-send').click();
  await page.getByText('Adresse e-mail invalide').waitFor();
  await page.getByTestId('chat-offline-email').fill('claire@example.com');
  await page.getByTestId('chat-offline-send').click();
  await page.getByText('Merci ! Nous vous répondrons par e-mail.').waitFor();

  // The shop reports a purchase: it waits in the outbox until the server has logged it.
  const sent = await page.evaluate(() => window.ChatWidget.track('purchase', { order: 'LUM-1042', value: 45, currency: 'eur' }));
  assert.equal(sent, true);
  await page.waitForFunction(() => localStorage.getItem('chat.outbox') === '[]');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.evaluate(() => window.ChatWidget.track('purchase', null)), false);

  // A thank-you page may call track before the async widget has loaded, on a stub.
  await page.addInitScript(() => {
    window.ChatWidget = { q: [], track() { this.q.push(['track', arguments]); } };
    window.ChatWidget.track('purchase', { order: 'LUM-1043', value: 79.5, currency: 'EUR' });
  });
  const frames = [];
  const trackOk = new Promise((resolve) => page.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.push(JSON.parse(f.payload)));
    ws.on('framereceived', (f) => { if (/"for":"track"/.test(f.payload)) resolve(); });
  }));
  await page.goto(chatd.url('/shop/linen-shirt.html'));
  await within(trackOk, 15000, 'the server\'s ok for the purchase');
  assert.deepEqual(frames.find((f) => f.type === 'track'), { type: 'track', event: 'purchase', value: 79.5, currency: 'EUR', order: 'LUM-1043' });
  await page.waitForFunction(() => localStorage.getItem('chat.outbox') === '[]');
  noErrors(errors);
});
