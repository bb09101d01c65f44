// Browser test: the demo shop page loads the widget, which connects when opened.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startChatd, launchBrowser } from './harness.mjs';

let chatd, browser;
before(async () => { chatd = await startChatd(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await chatd?.stop(); chatd?.cleanup(); });

test('the demo shop shows the chat launcher and the widget connects when opened', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(chatd.url('/'));
  const open = page.getByTestId('chat-open');
  await open.waitFor();
  assert.equal(await open.getAttribute('aria-expanded'), 'false');
  await open.click();
  await page.getByRole('status').filter({ hasText: 'Connecté' }).waitFor({ timeout: 5000 });
  const token = await page.evaluate(() => localStorage.getItem('chat.visitor_token'));
  assert.match(token, /^v[0-9a-f]{32}\.[0-9a-f]{40}$/);
  assert.deepEqual(errors, []);
});

test('the shop\'s CSS cannot reach the widget (Shadow DOM)', async () => {
  const page = await browser.newPage();
  await page.goto(chatd.url('/shop/linen-shirt.html'));
  await page.addStyleTag({ content: 'button { display: none !important; }' });
  await page.getByTestId('chat-open').waitFor({ state: 'visible' });
});
