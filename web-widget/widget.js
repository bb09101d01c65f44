/* widget.js — the shopper's chat launcher, embedded with one tag:
 *   <script src="https://HOST/widget.js" data-lang="fr" async></script>
 * It draws the chat bubble inside a Shadow DOM (the shop's CSS cannot reach it, nor ours the
 * shop) and defines window.ChatWidget. Everything else — the panel, the WebSocket, the texts —
 * is in widget/chat.js, loaded only when the shopper opens the chat, or at once when a
 * conversation is already under way (to show its unread badge and keep it going across pages).
 * ChatWidget.open(), .close(), .toggle(), .track("purchase", {order, value, currency}); calls
 * made before this script ran, on a stub {q: [[name, arguments], …]}, are played once it has. */
(function () {
  'use strict';
  if (window.ChatWidget && window.ChatWidget.version) return;
  var early = window.ChatWidget && window.ChatWidget.q;
  var script = document.currentScript;
  var lang = (script && script.getAttribute('data-lang')) || (document.documentElement.lang || navigator.language || 'en');
  lang = lang.slice(0, 2).toLowerCase() === 'fr' ? 'fr' : 'en';
  var origin = script ? new URL(script.src, location.href).origin : location.origin;
  var label = lang === 'fr' ? 'Discuter avec nous' : 'Chat with us';
  var store = {
    get: function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
    session: function (k) { try { return sessionStorage.getItem(k); } catch (e) { return null; } }
  };

  var host = document.createElement('div');
  host.id = 'chat-widget-host';
  var root = host.attachShadow({ mode: 'open' });
  var css =
    ':host{all:initial}' +
    '.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;align-items:center;gap:8px;' +
    'border:0;border-radius:28px;padding:12px 18px;background:#1f4e79;color:#fff;font:600 15px/1.2 system-ui,sans-serif;' +
    'cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}' +
    '.launcher:focus-visible{outline:3px solid #f5a623;outline-offset:2px}' +
    '.launcher svg{width:22px;height:22px;fill:currentColor}' +
    '.badge{min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;background:#d62d20;' +
    'color:#fff;font:700 12px/20px system-ui,sans-serif;text-align:center}' +
    '.badge[hidden]{display:none}' +
    '@media (max-width:480px){.launcher .text{display:none}.launcher{padding:14px}}';
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch (e) {
    var style = document.createElement('style');
    style.textContent = css;
    root.appendChild(style);
  }
  var launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'launcher';
  launcher.setAttribute('data-testid', 'chat-open');
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-controls', 'chat-panel');
  launcher.setAttribute('aria-label', label);
  launcher.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>';
  var text = document.createElement('span');
  text.className = 'text';
  text.textContent = label;
  var badge = document.createElement('span');
  badge.className = 'badge';
  badge.setAttribute('data-testid', 'chat-unread');
  badge.hidden = true;
  launcher.appendChild(text);
  launcher.appendChild(badge);
  root.appendChild(launcher);

  var impl = null, waiting = [], loading = false;
  function load(then) {
    if (impl) return then(impl);
    waiting.push(then);
    if (loading) return;
    loading = true;
    var s = document.createElement('script');
    s.src = origin + '/widget/chat.js';
    s.async = true;
    s.onerror = function () { loading = false; waiting = []; };
    document.head.appendChild(s);
  }

  window.ChatWidget = {
    version: 1,
    open: function () { load(function (w) { w.open(); }); },
    close: function () { if (impl) impl.close(); },
    toggle: function () { load(function (w) { w.toggle(); }); },
    // Reports a purchase (visitor.converted) for a shopper who has chatted; returns whether it is sent.
    track: function (event, data) {
      if (event !== 'purchase' || !data) return false;
      if (!store.get('chat.visitor_token')) return false;
      load(function (w) { w.track(event, data); });
      return true;
    },
    // Called by widget/chat.js once loaded.
    _attach: function (factory) {
      impl = factory({ root: root, launcher: launcher, badge: badge, lang: lang, origin: origin });
      var w = waiting;
      waiting = [];
      for (var i = 0; i < w.length; i++) w[i](impl);
    }
  };

  launcher.addEventListener('click', function () { window.ChatWidget.toggle(); });
  if (Array.isArray(early)) {
    early.forEach(function (call) {
      var fn = window.ChatWidget[call[0]];
      if (typeof fn === 'function' && call[0].charAt(0) !== '_') fn.apply(null, Array.prototype.slice.call(call[1] || []));
    });
  }

  function mount() {
    document.body.appendChild(host);
    // A conversation under way, or messages still to send: reconnect now, on every page.
    if (store.get('chat.active') === '1' || (store.get('chat.outbox') || '[]') !== '[]' || store.session('chat.open') === '1')
      load(function (w) { w.resume(); });
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
