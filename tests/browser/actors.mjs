// actors.mjs — the people of the browser tests, driving the pages through their data-testid
// attributes: a shopper on the demo shop (widget), an agent in the console, a manager on the
// dashboard. Each helper waits on a visible condition, never on a fixed delay.
import assert from 'node:assert/strict';

// A new page that fails the test on any page error or console error (CSP violations included).
export async function watchedPage(context, errors) {
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  // The pages ask GET /api/me before signing in: that 401 is expected, nothing else is.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 401/.test(m.text())) errors.push(`${page.url()}: console: ${m.text()}`);
  });
  return page;
}

export function widget(page) {
  const messages = page.getByTestId('chat-message');
  return {
    messages,
    async open() {
      await page.getByTestId('chat-open').click();
      await page.getByTestId('chat-input').waitFor();
    },
    async say(text) {
      await page.getByTestId('chat-input').fill(text);
      await page.getByTestId('chat-send').click();
      // Drawn, then acknowledged by the server (durable): no longer pending.
      await page.locator('[data-testid=chat-message]:not(.pending)').filter({ hasText: text }).last().waitFor();
    },
    // The n-th message (1-based) by this author once it is there.
    async waitFor(author, hasText) {
      const m = page.locator(`[data-testid=chat-message][data-author=${author}]`).filter({ hasText });
      await m.first().waitFor();
      return m;
    },
  };
}

export async function signIn(page, url, user, password) {
  await page.goto(url);
  await page.getByTestId('login-user').fill(user);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

export async function agentOnline(page, url, user, password) {
  await signIn(page, url, user, password);
  await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
  await page.getByTestId('presence').selectOption('online');
  // Wait for the server's confirmation of the status.
  await page.locator('[data-testid=presence][data-confirmed=online]').waitFor({ state: 'attached' });
}

export async function kpiValue(page, key) {
  return (await page.getByTestId(`kpi-${key}-value`).textContent()).trim();
}

export function noErrors(errors) { assert.deepEqual(errors, []); }

// A promise that fails with a clear message if it has not settled within `ms`.
export function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
