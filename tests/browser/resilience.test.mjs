// Browser test: the conversation survives what happens to shoppers. A reload and a change of
// page mid-conversation redraw the transcript once (resume with last_seq); the unread badge
// counts what arrives while the panel is closed; a chatd restart is ridden out with backoff and
// `resume`; a message typed while the server is down is sent once it is back, exactly once.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startChatd, launchBrowser, addUser, tempDir } from './harness.mjs';
import { watchedPage, widget, agentOnline, noErrors } from './actors.mjs';

let chatd, browser, dir;
before(async () => {
  dir = tempDir();
  addUser(dir, 'bruno', 'agent', 'bruno-password-1');
  chatd = await startChatd([], dir);
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await chatd?.stop(); rmSync(dir, { recursive: true, force: true }); });

async function countOf(locator, text) { return locator.filter({ hasText: text }).count(); }

test('reload, page change, unread badge, chatd restart and a message typed while offline', async () => {
  const errors = [];
  const shopper = await watchedPage(await browser.newContext(), errors);
  const agent = await watchedPage(await browser.newContext(), []);  // its reconnect logs a refused socket
  await agentOnline(agent, chatd.url('/console/'), 'bruno', 'bruno-password-1');

  await shopper.goto(chatd.url('/shop/wool-throw.html'));
  const w = widget(shopper);
  await w.open();
  await w.say('Bonjour, une question sur le plaid');
  await shopper.getByTestId('chat-handoff').click();
  await shopper.getByText('bruno a rejoint la conversation.').waitFor();
  await agent.getByTestId('conversation-item').first().click();
  await agent.getByTestId('reply-input').fill('Bonjour, je vous écoute');
  await agent.getByTestId('reply-send').click();
  await w.waitFor('agent', 'je vous écoute');
  const before = await w.messages.count();

  // Reload: the panel comes back open with the same transcript, each message once.
  await shopper.reload();
  await shopper.getByTestId('chat-input').waitFor();
  await w.waitFor('agent', 'je vous écoute');
  await shopper.waitForFunction((n) => document.querySelector('#chat-widget-host').shadowRoot
    .querySelectorAll('[data-testid=chat-message]').length >= n, before);
  assert.equal(await w.messages.count(), before);
  assert.equal(await countOf(w.messages, 'une question sur le plaid'), 1);

  // Another page, panel closed: the agent's message shows as an unread badge.
  await shopper.getByRole('button', { name: 'Fermer la discussion' }).click();
  assert.equal(await shopper.getByTestId('chat-open').getAttribute('aria-expanded'), 'false');
  await shopper.goto(chatd.url('/shop/ceramic-vase.html'));
  await shopper.waitForFunction(() => localStorage.getItem('chat.active') === '1');
  await shopper.waitForFunction(() => !!document.querySelector('#chat-widget-host').shadowRoot.querySelector('.panel'));
  await agent.getByTestId('reply-input').fill('Il reste trois plaids en stock');
  await agent.getByTestId('reply-send').click();
  await shopper.getByTestId('chat-unread').filter({ hasText: '1' }).waitFor();
  await w.open();
  assert.equal(await shopper.getByTestId('chat-unread').isHidden(), true);
  await w.waitFor('agent', 'trois plaids');
  assert.equal(await countOf(w.messages, 'je vous écoute'), 1);

  // chatd stops: the widget says it is offline and keeps what the shopper types.
  const port = chatd.port;
  assert.equal(await chatd.stop(), 0);
  await shopper.getByTestId('chat-status').filter({ hasText: 'Hors ligne' }).waitFor();
  await shopper.getByTestId('chat-input').fill('Écrit pendant la coupure');
  await shopper.getByTestId('chat-send').click();
  await shopper.locator('[data-testid=chat-message].pending').filter({ hasText: 'pendant la coupure' }).waitFor();

  // chatd is back on the same port with the same data: the widget resumes and sends it, once.
  chatd = await startChatd([], dir, `127.0.0.1:${port}`);
  await shopper.locator('[data-testid=chat-message]:not(.pending)').filter({ hasText: 'pendant la coupure' }).waitFor({ timeout: 20000 });
  await shopper.waitForFunction(() => document.querySelector('#chat-widget-host').shadowRoot
    .querySelector('[data-testid=chat-status]').textContent === '');
  assert.equal(await shopper.evaluate(() => localStorage.getItem('chat.outbox')), '[]');
  const inConsole = agent.locator('[data-testid=transcript-message][data-author=visitor]');
  await inConsole.filter({ hasText: 'pendant la coupure' }).waitFor({ timeout: 20000 });
  assert.equal(await countOf(inConsole, 'pendant la coupure'), 1);
  assert.equal(await countOf(inConsole, 'une question sur le plaid'), 1);

  // The conversation goes on after the restart, both ways.
  await agent.getByTestId('reply-input').fill('Bien reçu après la coupure');
  await agent.getByTestId('reply-send').click();
  await w.waitFor('agent', 'Bien reçu après la coupure');
  assert.equal(await countOf(w.messages, 'pendant la coupure'), 1);
  noErrors(errors.filter((e) => !/WebSocket connection .* failed|ERR_CONNECTION_REFUSED/.test(e)));
});
