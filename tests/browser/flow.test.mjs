// Browser test: the whole path of one conversation through the three pages. A shopper asks the
// FAQ bot in the widget and gets the answer, asks for a human; the agent signed into the console
// gets the conversation, replies and resolves; the shopper sees the reply and rates it; the
// manager's dashboard then counts that conversation. Texts with HTML in them travel both ways
// and must stay text (nothing runs in the widget nor in the console).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startChatd, launchBrowser, addUser, tempDir } from './harness.mjs';
import { watchedPage, widget, signIn, agentOnline, kpiValue, noErrors } from './actors.mjs';

const XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
let chatd, browser, dir;
before(async () => {
  dir = tempDir();
  addUser(dir, 'alice', 'agent', 'alice-password-1');
  addUser(dir, 'marc', 'manager', 'marc-password-1');
  chatd = await startChatd([], dir);
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await chatd?.stop(); chatd?.cleanup(); });

test('FAQ answer, handoff, agent reply and resolve, rating, then the dashboard counts it', async () => {
  const errors = [];
  const shopper = await watchedPage(await browser.newContext(), errors);
  const agent = await watchedPage(await browser.newContext(), errors);
  const manager = await watchedPage(await browser.newContext(), errors);

  // The agent is online before the shopper asks for a human.
  await agentOnline(agent, chatd.url('/console/'), 'alice', 'alice-password-1');

  await shopper.goto(chatd.url('/shop/linen-shirt.html'));
  const w = widget(shopper);
  await w.open();
  await w.say('Quels sont les délais de livraison ?');
  await w.waitFor('bot', 'livraison standard');
  // Quick replies come with the answer.
  assert.ok(await shopper.getByTestId('chat-quick-reply').count() > 0);

  await w.say(XSS);
  await shopper.getByTestId('chat-handoff').click();
  await shopper.getByText('alice a rejoint la conversation.').waitFor();

  // The console rings for the new conversation and shows it with the visitor's page and language.
  const item = agent.getByTestId('conversation-item');
  await item.first().waitFor();
  assert.equal(await item.count(), 1);
  await item.first().click();
  await agent.getByTestId('visitor-page').filter({ hasText: '/shop/linen-shirt.html' }).waitFor();
  assert.equal((await agent.getByTestId('visitor-language').textContent()).trim(), 'FR');
  const shown = agent.locator('[data-testid=transcript-message][data-author=visitor]').filter({ hasText: '<img src=x' });
  await shown.waitFor();
  assert.ok((await shown.textContent()).includes(XSS), 'the shopper\'s HTML is shown as text');
  assert.equal(await agent.locator('.transcript img, .transcript script').count(), 0);

  // An internal note stays in the console.
  await agent.getByTestId('note-mode').check();
  await agent.getByTestId('reply-input').fill('Client fidèle, geste commercial possible');
  await agent.getByTestId('reply-send').click();
  await agent.getByTestId('transcript-note').filter({ hasText: 'geste commercial' }).waitFor();

  await agent.getByText('Reply', { exact: true }).click();
  await agent.getByTestId('reply-input').fill('Bonjour ! Votre colis part demain. ' + XSS);
  await agent.getByTestId('reply-send').click();
  const reply = await w.waitFor('agent', 'Votre colis part demain');
  assert.ok((await reply.first().textContent()).includes(XSS));
  await agent.getByTestId('resolve').click();
  await agent.getByTestId('closed-banner').waitFor();

  // The shopper sees the end of the conversation and rates it.
  await shopper.getByTestId('chat-csat').waitFor();
  assert.equal(await shopper.getByText('geste commercial').count(), 0, 'notes never reach the shopper');
  await shopper.getByTestId('chat-csat-5').click();
  await shopper.getByTestId('chat-csat-send').click();
  await shopper.getByTestId('chat-thanks').waitFor();

  for (const p of [shopper, agent]) assert.equal(await p.evaluate(() => window.__pwned), undefined, 'no injected code ran');

  // The shopper buys: the shop reports it (ChatWidget.track) and the server logs it.
  await shopper.getByRole('button', { name: 'Acheter' }).click();
  await shopper.getByText(/Commande LUM-/).waitFor();
  await shopper.waitForFunction(() => localStorage.getItem('chat.outbox') === '[]');

  // The manager's dashboard counts it: one conversation, one handoff answered, a 5-star rating.
  await signIn(manager, chatd.url('/dashboard/'), 'marc', 'marc-password-1');
  await manager.getByTestId('kpi-conversations').waitFor();
  await manager.waitForFunction(() => document.querySelector('[data-testid=kpi-csat-value]')?.textContent.includes('5.0'),
    null, { timeout: 15000 });
  assert.equal(await kpiValue(manager, 'conversations'), '1');
  assert.equal(await kpiValue(manager, 'handoff_rate'), '100 %');
  assert.equal(await kpiValue(manager, 'fcr_rate'), '100 %');
  assert.equal(await kpiValue(manager, 'sla_rate'), '100 %');
  assert.equal(await kpiValue(manager, 'conversion_rate'), '100 %');
  assert.notEqual(await kpiValue(manager, 'agent_first_response_ms'), '—');
  await manager.getByTestId('agents').getByText('alice').waitFor();
  await manager.getByTestId('topics').getByText('delivery_time').waitFor();
  // Every card of the issue is there, with its definition.
  for (const key of ['first_response_ms', 'agent_first_response_ms', 'fcr_rate', 'bot_containment_rate', 'handoff_rate',
    'abandonment_rate', 'sla_rate', 'csat', 'nps', 'conversion_rate'])
    assert.ok((await manager.getByTestId(`kpi-${key}`).textContent()).length > 20, key);
  // Charts are drawn by uPlot, served by chatd.
  await manager.locator('#chart-day .uplot').waitFor();

  // Export CSV: the figures shown, and the agents' table.
  const [download] = await Promise.all([manager.waitForEvent('download'), manager.getByTestId('export-csv').click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv, /^kpi,conversations,1\r$/m);
  assert.match(csv, /^kpi,csat\.mean,5\r$/m);
  assert.match(csv, /^alice,1,1,\d+,5\r$/m);
  // A range that ends before it starts is refused with a clear message, the figures stay.
  await manager.getByTestId('live').uncheck();
  await manager.getByTestId('range-from').fill('2030-01-02');
  await manager.getByTestId('range-to').fill('2030-01-01');
  await manager.getByRole('button', { name: 'Apply' }).click();
  await manager.getByRole('alert').filter({ hasText: 'the start date is after the end date' }).waitFor();
  assert.equal(await kpiValue(manager, 'conversations'), '1');
  noErrors(errors);
});
