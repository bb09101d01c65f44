// screenshots.mjs — makes docs/screenshots/*.png: the shop with the widget open, the widget on a
// 360 px phone, the agent console and the manager dashboard, from a real chatd with a few
// conversations played through the pages. Run by hand after a UI change (not part of ctest):
//   cmake --build build --target chatd && node tests/browser/screenshots.mjs
import path from 'node:path';
import { rmSync } from 'node:fs';
import { startChatd, launchBrowser, addUser, tempDir, repoRoot } from './harness.mjs';
import { widget, signIn, agentOnline } from './actors.mjs';

const out = (name) => path.join(repoRoot, 'docs', 'screenshots', name);
const dir = tempDir();
addUser(dir, 'camille', 'agent', 'demo-agent-pass');
addUser(dir, 'manon', 'manager', 'demo-manager-pass');
const chatd = await startChatd([], dir);
const browser = await launchBrowser();
try {
  const desktop = { viewport: { width: 1366, height: 820 } };
  const agent = await (await browser.newContext(desktop)).newPage();
  await agentOnline(agent, chatd.url('/console/'), 'camille', 'demo-agent-pass');

  // A shopper the bot answers, who then rates it.
  const s1 = await (await browser.newContext(desktop)).newPage();
  await s1.goto(chatd.url('/shop/linen-shirt.html'));
  const w1 = widget(s1);
  await w1.open();
  await w1.say('Quels sont les délais de livraison ?');
  await w1.waitFor('bot', 'livraison');
  await s1.getByTestId('chat-helpful').getByText('Oui').click();
  await s1.getByTestId('chat-csat-5').click();
  await s1.getByTestId('chat-csat-send').click();

  // A shopper on a phone who asks for a person.
  const phone = await (await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true })).newPage();
  await phone.goto(chatd.url('/shop/wool-throw.html'));
  const w2 = widget(phone);
  await w2.open();
  await w2.say('Bonjour, le plaid est-il lavable en machine ?');
  await phone.getByTestId('chat-handoff').click();
  await phone.getByText('camille a rejoint la conversation.').waitFor();

  await agent.getByTestId('conversation-item').first().click();
  await agent.getByTestId('reply-input').fill('Bonjour ! Oui, à 30 °C en cycle laine, et séchage à plat.');
  await agent.getByTestId('reply-send').click();
  await w2.waitFor('agent', 'cycle laine');
  await agent.getByTestId('note-mode').check();
  await agent.getByTestId('reply-input').fill('Cliente fidèle : proposer le code MERCI10 si elle hésite.');
  await agent.getByTestId('reply-send').click();
  await agent.getByTestId('transcript-note').waitFor();
  await agent.getByText('Reply', { exact: true }).click();
  await agent.getByTestId('tag-input').fill('entretien');
  await agent.getByTestId('tag-input').press('Enter');
  await agent.getByTestId('tag').first().waitFor();
  await phone.getByTestId('chat-input').fill('Merci beaucoup !');
  await phone.getByTestId('chat-send').click();
  await agent.getByText('Merci beaucoup !').waitFor();
  await agent.getByTestId('reply-input').fill('/');
  await agent.getByTestId('canned-item').first().waitFor();
  await agent.screenshot({ path: out('console.png') });
  await agent.getByTestId('reply-input').press('Escape');
  await phone.screenshot({ path: out('widget-phone.png') });

  // Resolve and rate, then the dashboard.
  await agent.getByTestId('resolve').click();
  await phone.getByTestId('chat-csat-4').click();
  await phone.getByTestId('chat-csat-send').click();

  const s3 = await (await browser.newContext(desktop)).newPage();
  await s3.goto(chatd.url('/shop/ceramic-vase.html'));
  const w3 = widget(s3);
  await w3.open();
  await w3.say('Est-ce que le vase est étanche ?');
  await w3.waitFor('bot', '');
  await w3.say('Comment suivre mon colis ?');
  await s3.locator('[data-testid=chat-message][data-author=bot]').nth(1).waitFor();
  await s3.screenshot({ path: out('shop-widget.png') });

  const manager = await (await browser.newContext({ viewport: { width: 1366, height: 1100 } })).newPage();
  await signIn(manager, chatd.url('/dashboard/'), 'manon', 'demo-manager-pass');
  await manager.locator('#chart-quality .uplot').waitFor();
  await manager.screenshot({ path: out('dashboard.png'), fullPage: true });
  console.log('screenshots written to docs/screenshots/');
} finally {
  await browser.close();
  await chatd.stop();
  rmSync(dir, { recursive: true, force: true });
}
