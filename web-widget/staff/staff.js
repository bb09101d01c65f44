/* staff/staff.js — what the agent console and the manager dashboard share: JSON calls to the
 * HTTP API (the session is the HttpOnly cookie set by POST /api/login), the sign-in form, and
 * el(), which builds DOM nodes and only ever sets text (never HTML) from data. */
'use strict';

// el('div', {class: 'x', 'data-testid': 'y', onclick: f}, child, 'text', …)
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c == null || c === false) continue;
    e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return e;
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error;
  }
}

export async function api(path, options = {}) {
  const res = await fetch(path, {
    method: options.method || 'GET',
    headers: options.body !== undefined ? { 'Content-Type': 'application/json' } : {},
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    credentials: 'same-origin',
  });
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

// "3 s", "4 min", "2 h 05"
export function duration(ms) {
  if (ms == null || !isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')}`;
}

// Shows the sign-in form until the API knows us; resolves with /api/me.
// `roles` lists who may use the page.
export async function signIn(form, roles) {
  try {
    const me = await api('/api/me');
    if (roles.includes(me.role)) return me;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
  }
  const user = form.querySelector('[data-testid=login-user]');
  const password = form.querySelector('[data-testid=login-password]');
  const error = form.querySelector('.login-error');
  form.hidden = false;
  user.focus();
  return new Promise((resolve) => {
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      const button = form.querySelector('[data-testid=login-submit]');
      button.disabled = true;
      try {
        const me = await api('/api/login', { method: 'POST', body: { user: user.value.trim(), password: password.value } });
        if (!roles.includes(me.role)) {
          error.textContent = `This page is for ${roles.join(' and ')}s; ${me.user} is ${me.role === 'agent' ? 'an agent' : 'a manager'}.`;
          await api('/api/logout', { method: 'POST' }).catch(() => {});
          return;
        }
        form.hidden = true;
        password.value = '';
        resolve(me);
      } catch (e) {
        error.textContent = e.status === 401 ? 'Wrong user name or password.' : `Could not sign in: ${e.message}`;
        password.select();
      } finally {
        button.disabled = false;
      }
    });
  });
}

export async function signOut() {
  await api('/api/logout', { method: 'POST' }).catch(() => {});
  location.reload();
}
