// Browser test: the agent console's tools and the dashboard's live view. Bad sign-ins are
// refused with a clear message. A new assignment shows
// in the page title; "/" opens the canned responses; tags; a transfer moves the conversation
// with its history to another agent's console; a queued shopper sees their position and an agent
// takes them by hand; a console reload finds its conversations again, each message once; the
// dashboard counts a new conversation while it is open.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startChatd, launchBrowser, addUser, tempDir } from './harness.mjs';
import { watchedPage, widget, signIn, agentOnline, kpiValue, noErrors } from './actors.mjs';

let chatd, browser, dir;
before(async () => {
  dir = tempDir();
  addUser(dir, 'ana', 'agent', 'ana-password-1', { capacity: 2 });
  addUser(dir, 'ben', 'agent', 'ben-password-1', { capacity: 1 });
  addUser(dir, 'mia', 'manager', 'mia-password-1');
  chatd = await startChatd([], dir);
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await chatd?.stop(); chatd?.cleanup(); });

async function shopperAsksForHuman(errors, page, text) {
  const shopper = await watchedPage(await browser.newContext(), errors);
  await shopper.goto(chatd.url(page));
  const w = widget(shopper);
  await w.open();
  await w.say(text);
  await shopper.getByTestId('chat-handoff').click();
  return { shopper, w };
}

test('notifications, canned responses, tags, transfer, queue and accept, reload; live dashboard', async () => {
  const errors = [];
  const ana = await watchedPage(await browser.newContext(), errors);
  const ben = await watchedPage(await browser.newContext(), errors);
  const mia = await watchedPage(await browser.newContext(), errors);
  // Wrong password, and an agent on the managers' dashboard: clear refusals.
  await signIn(ana, chatd.url('/console/'), 'ana', 'not-her-password');
  await ana.getByRole('alert').filter({ hasText: 'Wrong user name or password.' }).waitFor();
  await signIn(ben, chatd.url('/dashboard/'), 'ben', 'ben-password-1');
  await ben.getByRole('alert').filter({ hasText: 'This page is for managers' }).waitFor();

  await agentOnline(ana, chatd.url('/console/'), 'ana', 'ana-password-1');
  await signIn(ben, chatd.url('/console/'), 'ben', 'ben-password-1');
  await ben.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();

  // The dashboard is open before anything happens, refreshing every second.
  await signIn(mia, chatd.url('/dashboard/?refresh=1'), 'mia', 'mia-password-1');
  await mia.getByTestId('kpi-conversations').waitFor();
  assert.equal(await kpiValue(mia, 'conversations'), '0');

  const one = await shopperAsksForHuman(errors, '/shop/linen-shirt.html', 'Bonjour, ma commande est en retard');
  await one.shopper.getByText('ana a rejoint la conversation.').waitFor();
  await ana.getByTestId('conversation-item').first().waitFor();

  // A second assignment while the first is on screen: the title counts it until it is opened.
  const two = await shopperAsksForHuman(errors, '/shop/wool-throw.html', 'Je voudrais changer mon adresse');
  await two.shopper.getByText('ana a rejoint la conversation.').waitFor();
  await ana.waitForFunction(() => /^\(\d+\) Agent console$/.test(document.title));
  const second = ana.getByTestId('conversation-item').filter({ hasText: 'changer mon adresse' });
  await second.getByTestId('unread').waitFor();
  await second.click();
  await ana.waitForFunction(() => document.title === 'Agent console');

  // "/" opens the canned responses; typing filters them; Enter puts the text in the box.
  const reply = ana.getByTestId('reply-input');
  await reply.fill('/');
  assert.ok(await ana.getByTestId('canned-item').count() >= 2);
  await reply.pressSequentially('commande');
  await ana.getByTestId('canned-item').first().filter({ hasText: 'Numéro de commande' }).waitFor();
  await reply.press('Enter');
  assert.match(await reply.inputValue(), /^Pouvez-vous me donner votre numéro de commande/);
  await reply.press('Enter');
  await two.w.waitFor('agent', 'numéro de commande');

  // Tags.
  await ana.getByTestId('tag-input').fill('adresse');
  await ana.getByTestId('tag-input').press('Enter');
  await ana.getByTestId('tag').filter({ hasText: 'adresse' }).waitFor();

  // Transfer to ben, who is online: the conversation and its history move to his console.
  await ben.getByTestId('presence').selectOption('online');
  await ben.locator('[data-testid=presence][data-confirmed=online]').waitFor({ state: 'attached' });
  await ana.getByTestId('transfer-to').focus();
  await ana.getByTestId('transfer-to').locator('option[value=ben]').waitFor({ state: 'attached' });
  await ana.getByTestId('transfer-to').selectOption('ben');
  await ana.getByTestId('transfer').click();
  await ana.getByTestId('closed-banner').filter({ hasText: 'transferred' }).waitFor();
  await ben.getByTestId('conversation-item').filter({ hasText: 'changer mon adresse' }).click();
  await ben.locator('[data-testid=transcript-message][data-author=agent]').filter({ hasText: 'numéro de commande' }).waitFor();
  await two.shopper.getByText('ben a rejoint la conversation.').waitFor();

  // ana away, ben online but full: a third shopper waits in the queue and sees it; ana takes them by hand.
  await ana.getByTestId('presence').selectOption('away');
  await ana.locator('[data-testid=presence][data-confirmed=away]').waitFor({ state: 'attached' });
  const three = await shopperAsksForHuman(errors, '/shop/ceramic-vase.html', 'Le vase est-il fragile ?');
  await three.shopper.getByTestId('chat-status').filter({ hasText: 'Vous êtes le prochain' }).waitFor();
  const queued = ana.getByTestId('queue-item').filter({ hasText: 'Le vase est-il fragile' });
  await queued.getByTestId('accept').click();
  await three.shopper.getByText('ana a rejoint la conversation.').waitFor();
  await ana.getByTestId('conversation-item').filter({ hasText: 'vase est-il fragile' }).waitFor();

  // Typing shows on both sides.
  await ana.getByTestId('conversation-item').filter({ hasText: 'vase est-il fragile' }).click();
  await ana.getByTestId('reply-input').fill('Il est en grès');
  await three.shopper.getByTestId('chat-typing').filter({ hasText: 'ana écrit…' }).waitFor();
  await three.shopper.getByTestId('chat-input').fill('Et au lave-vaisselle ?');
  await ana.getByText('The shopper is typing…').waitFor();
  await ana.getByTestId('reply-input').fill('');

  // A reload of the console finds both of ana's conversations again, each message once.
  await ana.reload();
  await ana.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
  await ana.getByTestId('conversation-item').filter({ hasText: 'vase est-il fragile' }).click();
  assert.equal(await ana.getByTestId('conversation-item').count(), 2);
  await ana.locator('[data-testid=transcript-message][data-author=visitor]').first().waitFor();
  assert.equal(await ana.locator('[data-testid=transcript-message]').filter({ hasText: 'Le vase est-il fragile' }).count(), 1);

  // The dashboard followed along without a reload: its live refresh reaches the three
  // conversations, all three assigned and one transferred (a refresh may land between the
  // third conversation's opening and its assignment: the next one has it).
  await mia.waitForFunction(() =>
    document.querySelector('[data-testid=kpi-conversations-value]').textContent === '3' &&
    document.querySelector('[data-testid=kpi-transfer_rate-value]').textContent.trim() === '33.3 %');
  assert.equal(await kpiValue(mia, 'transfer_rate'), '33.3 %');

  // Signing out ends the session: back to the sign-in form, even after a reload.
  await ana.getByRole('button', { name: 'Sign out' }).click();
  await ana.getByTestId('login-user').waitFor();
  await ana.reload();
  await ana.getByTestId('login-user').waitFor();
  noErrors(errors);
});
