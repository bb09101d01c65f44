/* widget.js — the shopper's chat widget, embedded with one tag:
 *   <script src="https://HOST/widget.js" data-lang="fr" async></script>
 * It renders a launcher inside a Shadow DOM (the shop's CSS cannot reach it) and opens the
 * visitor WebSocket (/ws/visitor) only when the shopper opens the chat. */
(function () {
  'use strict';
  var script = document.currentScript;
  var lang = (script && script.dataset.lang) || (document.documentElement.lang || 'en').slice(0, 2);
  var origin = script ? new URL(script.src, location.href).origin : location.origin;
  var T = {
    fr: { open: 'Discuter avec nous', title: 'Une question ?', connecting: 'Connexion…', online: 'Connecté', offline: 'Hors ligne' },
    en: { open: 'Chat with us', title: 'Any question?', connecting: 'Connecting…', online: 'Connected', offline: 'Offline' }
  }[lang === 'fr' ? 'fr' : 'en'];

  var host = document.createElement('div');
  host.id = 'chat-widget-host';
  document.body.appendChild(host);
  var root = host.attachShadow({ mode: 'open' });
  root.innerHTML =
    '<style>:host{all:initial}button{font:14px system-ui,sans-serif}' +
    '.launcher{position:fixed;right:20px;bottom:20px;border:0;border-radius:24px;padding:12px 18px;background:#1f4e79;color:#fff;cursor:pointer;z-index:2147483000}' +
    '.panel{position:fixed;right:20px;bottom:76px;width:320px;max-width:calc(100vw - 40px);background:#fff;border:1px solid #ccc;border-radius:8px;font:14px system-ui,sans-serif;padding:12px;z-index:2147483000}' +
    '[hidden]{display:none}</style>' +
    '<button class="launcher" data-testid="chat-open" aria-expanded="false"></button>' +
    '<section class="panel" role="dialog" hidden><h2 style="margin:0 0 8px;font-size:16px"></h2><p class="status" role="status"></p></section>';
  var launcher = root.querySelector('.launcher');
  var panel = root.querySelector('.panel');
  var status = root.querySelector('.status');
  launcher.textContent = T.open;
  panel.querySelector('h2').textContent = T.title;

  var ws = null;
  function connect() {
    status.textContent = T.connecting;
    var url = origin.replace(/^http/, 'ws') + '/ws/visitor?lang=' + lang + '&page=' + encodeURIComponent(location.pathname);
    ws = new WebSocket(url);
    ws.onmessage = function (ev) {
      var frame = JSON.parse(ev.data);
      if (frame.type === 'welcome') {
        try { localStorage.setItem('chat.visitor_token', frame.token); } catch (e) { /* private mode */ }
        status.textContent = T.online;
      }
    };
    ws.onclose = function () { status.textContent = T.offline; ws = null; };
  }
  launcher.addEventListener('click', function () {
    var open = panel.hidden;
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', String(open));
    if (open && !ws) connect();
  });
})();
