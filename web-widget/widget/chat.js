/* widget/chat.js — the chat panel, loaded by widget.js when the shopper opens the chat.
 *
 * Speaks the visitor protocol of docs/protocol.md over /ws/visitor: the visitor token is kept in
 * localStorage (chat.visitor_token), so the same conversation follows the shopper across pages
 * and reloads; every connection after the first resumes with {"type":"resume","token","last_seq"}
 * and the server replays what this page has not seen. Messages (and purchases) wait in a
 * persisted outbox (chat.outbox) until the server acknowledges them; they are sent again after a
 * reconnect with the same client_id, which the server never logs twice. Reconnects back off
 * exponentially (0.5 s to 30 s, with jitter). Every text from the network is set with
 * textContent, never parsed as HTML. */
(function () {
  'use strict';

  var TEXTS = {
    fr: {
      title: 'Service client', subtitle: 'Nous répondons en quelques minutes',
      close: 'Fermer la discussion', placeholder: 'Écrivez votre message…', send: 'Envoyer',
      connecting: 'Connexion…', offline: 'Hors ligne — vos messages partiront dès le retour de la connexion',
      pending: 'en attente', human: 'Parler à un conseiller', end: 'Terminer',
      queued: function (n) { return n === 1 ? 'Vous êtes le prochain, un conseiller arrive.' : 'Vous êtes en position ' + n + ' dans la file d’attente.'; },
      joined: function (a) { return a + ' a rejoint la conversation.'; },
      typing: function (a) { return (a || 'Le conseiller') + ' écrit…'; },
      noAgent: 'Aucun conseiller n’est disponible pour le moment. Laissez-nous votre e-mail, nous vous répondrons.',
      hours: function (h) { return 'Horaires : ' + h; },
      email: 'Votre e-mail', message: 'Votre message', leave: 'Envoyer', leftMessage: 'Merci ! Nous vous répondrons par e-mail.',
      resolved: 'La conversation est terminée.', rate: 'Comment évaluez-vous cette conversation ?',
      star: function (n) { return n + (n > 1 ? ' étoiles' : ' étoile'); }, comment: 'Un commentaire ? (facultatif)',
      submit: 'Envoyer la note', thanks: 'Merci pour votre avis !',
      nps: 'Recommanderiez-vous notre boutique à un proche ? (0 = pas du tout, 10 = certainement)',
      helpful: 'Cette réponse vous a-t-elle aidé ?', yes: 'Oui', no: 'Non',
      you: 'Vous', bot: 'Assistant', agent: 'Conseiller', error: 'Erreur : ', badEmail: 'Adresse e-mail invalide'
    },
    en: {
      title: 'Customer service', subtitle: 'We reply within minutes',
      close: 'Close the chat', placeholder: 'Type your message…', send: 'Send',
      connecting: 'Connecting…', offline: 'Offline — your messages will be sent when the connection is back',
      pending: 'pending', human: 'Talk to a person', end: 'End chat',
      queued: function (n) { return n === 1 ? 'You are next: someone will be with you shortly.' : 'You are number ' + n + ' in the queue.'; },
      joined: function (a) { return a + ' joined the conversation.'; },
      typing: function (a) { return (a || 'The agent') + ' is typing…'; },
      noAgent: 'Nobody is available right now. Leave your email and we will get back to you.',
      hours: function (h) { return 'Opening hours: ' + h; },
      email: 'Your email', message: 'Your message', leave: 'Send', leftMessage: 'Thank you! We will reply by email.',
      resolved: 'This conversation has ended.', rate: 'How would you rate this conversation?',
      star: function (n) { return n + (n > 1 ? ' stars' : ' star'); }, comment: 'Any comment? (optional)',
      submit: 'Send rating', thanks: 'Thank you for your feedback!',
      nps: 'How likely are you to recommend our shop to a friend? (0 = not at all, 10 = very likely)',
      helpful: 'Did this answer help?', yes: 'Yes', no: 'No',
      you: 'You', bot: 'Assistant', agent: 'Agent', error: 'Error: ', badEmail: 'Invalid email address'
    }
  };

  var CSS =
    '.panel{position:fixed;right:20px;bottom:84px;z-index:2147483000;width:370px;height:min(600px,calc(100vh - 110px));' +
    'display:flex;flex-direction:column;background:#fff;color:#1d1d1f;border-radius:14px;overflow:hidden;' +
    'box-shadow:0 10px 40px rgba(0,0,0,.25);font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}' +
    '.panel[hidden],[hidden]{display:none!important}' +
    'header{display:flex;align-items:center;gap:10px;padding:14px 16px;background:#1f4e79;color:#fff}' +
    'header h2{margin:0;font-size:16px}header p{margin:0;font-size:12px;opacity:.85}header .grow{flex:1}' +
    'button{font:inherit;cursor:pointer}' +
    'button:focus-visible,input:focus-visible,textarea:focus-visible{outline:3px solid #f5a623;outline-offset:1px}' +
    '.x{background:transparent;border:0;color:#fff;font-size:22px;line-height:1;padding:4px 8px;border-radius:6px}' +
    '.status{padding:6px 16px;font-size:12px;background:#fff8e1;color:#6b5400;border-bottom:1px solid #f0e2b6}' +
    '.status:empty{display:none}' +
    '.log{flex:1;overflow-y:auto;padding:12px 14px;display:flex;flex-direction:column;gap:8px;background:#f6f7f9}' +
    '.msg{max-width:82%;padding:8px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}' +
    '.msg .who{display:block;font-size:11px;opacity:.7;margin-bottom:2px}' +
    '.visitor{align-self:flex-end;background:#1f4e79;color:#fff;border-bottom-right-radius:4px}' +
    '.bot,.agent{align-self:flex-start;background:#fff;border:1px solid #e1e4e8;border-bottom-left-radius:4px}' +
    '.agent{border-color:#b7d3ee}' +
    '.pending{opacity:.6}.pending::after{content:" ⏱";font-size:11px}' +
    '.system{align-self:center;font-size:12px;color:#555;text-align:center;max-width:90%}' +
    '.chips{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start}' +
    '.chips button{border:1px solid #1f4e79;background:#fff;color:#1f4e79;border-radius:16px;padding:5px 12px}' +
    '.chips button:hover{background:#eaf2fa}' +
    '.card{align-self:stretch;background:#fff;border:1px solid #e1e4e8;border-radius:10px;padding:10px 12px;display:flex;flex-direction:column;gap:8px}' +
    '.card p{margin:0}.card input,.card textarea{font:inherit;padding:7px 9px;border:1px solid #c5cad1;border-radius:8px}' +
    '.card .go{align-self:flex-start;border:0;background:#1f4e79;color:#fff;border-radius:8px;padding:7px 14px}' +
    '.stars{display:flex;gap:4px}.stars button{border:0;background:none;font-size:28px;line-height:1;color:#c5cad1;padding:2px}' +
    '.stars button.on{color:#f5a623}' +
    '.scale{display:flex;flex-wrap:wrap;gap:4px}.scale button{min-width:30px;border:1px solid #c5cad1;background:#fff;border-radius:6px;padding:4px}' +
    '.typing{padding:0 16px 4px;font-size:12px;color:#555;min-height:18px;background:#f6f7f9}' +
    '.actions{display:flex;gap:8px;padding:6px 12px 0;background:#fff}' +
    '.actions button{border:0;background:none;color:#1f4e79;text-decoration:underline;padding:2px 4px;font-size:13px}' +
    'form.compose{display:flex;gap:8px;padding:10px 12px 12px;background:#fff;border-top:1px solid #e1e4e8}' +
    'form.compose textarea{flex:1;resize:none;height:40px;max-height:120px;font:inherit;padding:9px 10px;border:1px solid #c5cad1;border-radius:10px}' +
    'form.compose button{border:0;border-radius:10px;background:#1f4e79;color:#fff;padding:0 16px;font-weight:600}' +
    '.err{color:#b00020;font-size:12px}' +
    '@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;height:100%;max-height:100%;border-radius:0}}';

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function store(k, v) { try { if (v == null) localStorage.removeItem(k); else localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  function load(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
  function session(k, v) { try { if (v == null) sessionStorage.removeItem(k); else sessionStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  function uid() {
    var a = new Uint8Array(12);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }

  window.ChatWidget._attach(function (ctx) {
    var T = TEXTS[ctx.lang];
    var root = ctx.root;
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = root.adoptedStyleSheets.concat([sheet]);
    } catch (e) {
      root.appendChild(el('style', null, CSS));
    }

    // ---- The panel ------------------------------------------------------------------------
    var panel = el('section', 'panel');
    panel.id = 'chat-panel';
    panel.hidden = true;
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', T.title);
    var header = el('header');
    var titles = el('div', 'grow');
    titles.appendChild(el('h2', null, T.title));
    titles.appendChild(el('p', null, T.subtitle));
    var closeBtn = el('button', 'x', '×');
    closeBtn.type = 'button';
    closeBtn.setAttribute('aria-label', T.close);
    header.appendChild(titles);
    header.appendChild(closeBtn);
    var status = el('div', 'status');
    status.setAttribute('role', 'status');
    status.setAttribute('data-testid', 'chat-status');
    var log = el('div', 'log');
    log.setAttribute('role', 'log');
    log.setAttribute('aria-live', 'polite');
    log.setAttribute('aria-label', T.title);
    var typing = el('div', 'typing');
    typing.setAttribute('data-testid', 'chat-typing');
    typing.setAttribute('aria-live', 'polite');
    var actions = el('div', 'actions');
    var humanBtn = el('button', null, T.human);
    humanBtn.type = 'button';
    humanBtn.setAttribute('data-testid', 'chat-handoff');
    var endBtn = el('button', null, T.end);
    endBtn.type = 'button';
    endBtn.setAttribute('data-testid', 'chat-end');
    actions.appendChild(humanBtn);
    actions.appendChild(endBtn);
    var form = el('form', 'compose');
    var input = el('textarea');
    input.rows = 1;
    input.placeholder = T.placeholder;
    input.maxLength = 4000;
    input.setAttribute('aria-label', T.placeholder);
    input.setAttribute('data-testid', 'chat-input');
    var sendBtn = el('button', null, T.send);
    sendBtn.type = 'submit';
    sendBtn.setAttribute('data-testid', 'chat-send');
    form.appendChild(input);
    form.appendChild(sendBtn);
    [header, status, log, typing, actions, form].forEach(function (c) { panel.appendChild(c); });
    root.appendChild(panel);

    // ---- State ------------------------------------------------------------------------------
    var ws = null, connected = false, retries = 0, retryTimer = null, wanted = false;
    var conv = null, stage = null, lastSeq = 0, phase = 'closed', sentToken = null;
    var seen = {};           // "conv:seq" already drawn
    var mine = {};           // client_id -> bubble
    var unread = 0, typingTimer = null, typingSent = false, baseLabel = ctx.launcher.getAttribute('aria-label');
    var read = {};           // the last seq the shopper saw with the panel open: {conv, seq}
    try { read = JSON.parse(load('chat.read') || '{}') || {}; } catch (e) { read = {}; }
    var outbox = [];
    try { outbox = JSON.parse(load('chat.outbox') || '[]'); } catch (e) { outbox = []; }
    if (!Array.isArray(outbox)) outbox = [];

    function saveOutbox() { store('chat.outbox', JSON.stringify(outbox)); }
    function isOpen() { return !panel.hidden; }
    function scroll() { log.scrollTop = log.scrollHeight; }
    function setStatus(t) { status.textContent = t || ''; }
    function setBadge() {
      ctx.badge.hidden = unread === 0;
      ctx.badge.textContent = unread > 9 ? '9+' : String(unread);
      ctx.launcher.setAttribute('aria-label', baseLabel + (unread ? ' (' + unread + ')' : ''));
    }
    function setStage(s) {
      stage = s;
      humanBtn.hidden = stage !== 'bot';
      endBtn.hidden = !(stage === 'bot' || stage === 'queued' || stage === 'assigned');
      store('chat.active', stage && stage !== 'resolved' ? '1' : null);
    }
    setStage(null);

    // Messages waiting for their ack stay last: whatever the server orders before them goes above.
    function append(node) {
      var firstPending = log.querySelector('.pending');
      if (firstPending) log.insertBefore(node, firstPending);
      else log.appendChild(node);
      scroll();
    }
    function bubble(author, text, name) {
      var b = el('div', 'msg ' + author);
      b.setAttribute('data-testid', 'chat-message');
      b.setAttribute('data-author', author);
      var who = el('span', 'who', author === 'visitor' ? T.you : author === 'bot' ? T.bot : (name || T.agent));
      b.appendChild(who);
      b.appendChild(document.createTextNode(text));
      append(b);
      return b;
    }
    function systemLine(text) {
      var p = el('p', 'system', text);
      append(p);
      return p;
    }
    function removeCards() {
      var old = log.querySelectorAll('.chips,.ask');
      for (var i = 0; i < old.length; i++) old[i].remove();
    }
    // Unread: what arrived after the last frame seen with the panel open (chat.read), so a
    // replay after a change of page does not count old messages again.
    function countUnread(f) {
      if (isOpen() && document.visibilityState !== 'hidden') return markRead();
      if (read.conv === conv && f.seq <= read.seq) return;
      unread++;
      setBadge();
    }
    function markRead() {
      if (!conv || (read.conv === conv && read.seq >= lastSeq)) return;
      read = { conv: conv, seq: lastSeq };
      store('chat.read', JSON.stringify(read));
    }

    // ---- Connection -------------------------------------------------------------------------
    function wsUrl() {
      var u = ctx.origin.replace(/^http/, 'ws') + '/ws/visitor?lang=' + ctx.lang + '&page=' + encodeURIComponent(location.pathname);
      sentToken = load('chat.visitor_token');
      if (sentToken) u += '&token=' + encodeURIComponent(sentToken);
      return u;
    }
    function connect() {
      if (ws) return;
      wanted = true;
      clearTimeout(retryTimer);
      setStatus(retries ? T.offline : T.connecting);
      phase = 'hello';
      var sock = new WebSocket(wsUrl());
      ws = sock;
      sock.onmessage = function (ev) {
        var f;
        try { f = JSON.parse(ev.data); } catch (e) { return; }
        if (sock === ws) onFrame(f);
      };
      sock.onclose = function () {
        if (sock !== ws) return;
        ws = null;
        connected = false;
        phase = 'closed';
        setStatus(T.offline);
        if (!wanted) return;
        var delay = Math.min(30000, 500 * Math.pow(2, retries++)) * (0.5 + Math.random() / 2);
        retryTimer = setTimeout(connect, delay);
      };
    }
    function send(frame) {
      if (!connected) return false;
      ws.send(JSON.stringify(frame));
      return true;
    }
    function flush() {
      for (var i = 0; i < outbox.length; i++) send(outbox[i]);
    }
    window.addEventListener('online', function () {
      if (wanted && !ws) { retries = 0; connect(); }
    });

    function onFrame(f) {
      switch (f.type) {
      case 'welcome':
        if (f.token) store('chat.visitor_token', f.token);
        if (phase === 'hello' && f.conv && f.token === sentToken) {
          // A returning visitor with a conversation: ask for what this page has not drawn yet.
          // The server answers with a second welcome followed by the missing frames.
          phase = 'resuming';
          ws.send(JSON.stringify({ type: 'resume', token: f.token, last_seq: f.conv === conv ? lastSeq : 0 }));
          return;
        }
        phase = 'ready';
        connected = true;
        retries = 0;
        if (f.conv !== conv) { conv = f.conv; lastSeq = 0; }
        setStage(f.conv ? f.stage || 'bot' : null);
        setStatus('');
        flush();
        break;
      case 'message':
        onMessage(f);
        break;
      case 'ack':
        outbox = outbox.filter(function (m) { return m.client_id !== f.client_id; });
        saveOutbox();
        if (mine[f.client_id]) mine[f.client_id].classList.remove('pending');
        if (f.seq && f.msg) seen[f.msg.slice(0, f.msg.lastIndexOf('.')) + ':' + f.seq] = true;
        break;
      case 'queued':
        setStage('queued');
        setStatus(T.queued(f.position));
        break;
      case 'assigned':
        if (f.seq && !fresh(f)) break;
        setStage('assigned');
        setStatus('');
        removeCards();
        systemLine(T.joined(f.agent_name || T.agent));
        break;
      case 'typing':
        clearTimeout(typingTimer);
        typing.textContent = f.on ? T.typing(f.agent_name) : '';
        if (f.on) typingTimer = setTimeout(function () { typing.textContent = ''; }, 15000);
        break;
      case 'no_agent':
        setStatus('');
        offlineForm(f.hours);
        break;
      case 'resolved':
        if (f.seq && !fresh(f)) break;
        setStage('resolved');
        setStatus('');
        typing.textContent = '';
        removeCards();
        systemLine(T.resolved);
        if (f.ask_csat !== false && load('chat.rated') !== conv) csatForm(!!f.ask_nps);
        countUnread(f);
        break;
      case 'ok':
        if (f['for'] === 'track') {
          var t = outbox.findIndex(function (m) { return m.type === 'track'; });
          if (t >= 0) { outbox.splice(t, 1); saveOutbox(); }
        }
        break;
      case 'error':
        if (f.code === 'unauthorized') { store('chat.visitor_token', null); return; }
        systemLine(T.error + (f.message || f.code)).classList.add('err');
        break;
      }
    }
    // Frames with a seq are drawn once, whether they come live or again on a resume.
    function fresh(f) {
      var key = (f.conv || conv) + ':' + f.seq;
      if (seen[key]) return false;
      seen[key] = true;
      if ((f.conv || conv) === conv && f.seq > lastSeq) lastSeq = f.seq;
      return true;
    }
    function onMessage(f) {
      if (f.conv && f.conv !== conv) { conv = f.conv; lastSeq = 0; setStage('bot'); }
      if (f.client_id && mine[f.client_id]) {
        mine[f.client_id].classList.remove('pending');
        fresh(f);
        return;
      }
      if (!fresh(f)) return;
      if (f.author === 'visitor') {
        var b = bubble('visitor', f.text);
        if (f.client_id) mine[f.client_id] = b;
        return;
      }
      if (f.author === 'system') { systemLine(f.text); return; }
      removeCards();
      typing.textContent = '';
      bubble(f.author === 'bot' ? 'bot' : 'agent', f.text, f.agent_name);
      if (f.author === 'bot') {
        if (stage == null || stage === 'resolved') setStage('bot');
        var sugg = Array.isArray(f.suggestions) ? f.suggestions : [];
        if (sugg.length) {
          var chips = el('div', 'chips');
          chips.setAttribute('role', 'group');
          sugg.forEach(function (s) {
            var c = el('button', null, s.label);
            c.type = 'button';
            c.setAttribute('data-testid', 'chat-quick-reply');
            c.addEventListener('click', function () { sendMessage(s.label, s.faq); });
            chips.appendChild(c);
          });
          append(chips);
        }
        if (f.outcome === 'answer' && stage === 'bot') helpfulCard();
        scroll();
      }
      countUnread(f);
    }

    // ---- Sending ----------------------------------------------------------------------------
    function sendMessage(text, faq) {
      text = text.trim();
      if (!text) return;
      var frame = { type: 'message', text: text, client_id: uid() };
      if (faq) frame.faq = faq;
      if (!conv) { frame.user_agent = navigator.userAgent; if (document.referrer) frame.referrer = document.referrer; }
      outbox.push(frame);
      saveOutbox();
      removeCards();
      var b = bubble('visitor', text);
      b.classList.add('pending');
      mine[frame.client_id] = b;
      store('chat.active', '1');
      if (!send(frame)) connect();
    }
    function restorePending() {
      outbox.forEach(function (m) {
        if (m.type !== 'message' || mine[m.client_id]) return;
        var b = bubble('visitor', m.text);
        b.classList.add('pending');
        mine[m.client_id] = b;
      });
    }
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      sendMessage(input.value);
      input.value = '';
      stopTyping();
      input.focus();
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event('submit', { cancelable: true }));
      }
    });
    function stopTyping() {
      if (typingSent) { send({ type: 'typing', on: false }); typingSent = false; }
    }
    var typingIdle = null;
    input.addEventListener('input', function () {
      if (stage !== 'assigned') return;
      if (!typingSent && input.value) typingSent = send({ type: 'typing', on: true });
      clearTimeout(typingIdle);
      typingIdle = setTimeout(stopTyping, 3000);
    });
    humanBtn.addEventListener('click', function () {
      if (send({ type: 'handoff' })) humanBtn.hidden = true;
    });
    endBtn.addEventListener('click', function () { send({ type: 'resolve' }); });

    // ---- Cards: was it helpful, leave your email, rate us ------------------------------------
    function card(testid) {
      var c = el('div', 'card ask');
      c.setAttribute('data-testid', testid);
      append(c);
      return c;
    }
    function button(text, cls, onClick) {
      var b = el('button', cls, text);
      b.type = 'button';
      b.addEventListener('click', onClick);
      return b;
    }
    function helpfulCard() {
      var c = card('chat-helpful');
      c.appendChild(el('p', null, T.helpful));
      var row = el('div', 'chips');
      row.appendChild(button(T.yes, null, function () { if (send({ type: 'helpful', value: true })) c.remove(); }));
      row.appendChild(button(T.no, null, function () { if (send({ type: 'helpful', value: false })) c.remove(); }));
      c.appendChild(row);
    }
    function offlineForm(hours) {
      var c = el('form', 'card');
      c.setAttribute('data-testid', 'chat-offline-form');
      c.noValidate = true;
      c.appendChild(el('p', null, T.noAgent));
      if (hours) c.appendChild(el('p', 'system', T.hours(hours)));
      var email = el('input');
      email.type = 'email';
      email.required = true;
      email.autocomplete = 'email';
      email.setAttribute('aria-label', T.email);
      email.placeholder = T.email;
      email.setAttribute('data-testid', 'chat-offline-email');
      var msg = el('textarea');
      msg.required = true;
      msg.rows = 3;
      msg.setAttribute('aria-label', T.message);
      msg.placeholder = T.message;
      msg.setAttribute('data-testid', 'chat-offline-text');
      var err = el('p', 'err');
      err.setAttribute('role', 'alert');
      var go = el('button', 'go', T.leave);
      go.type = 'submit';
      go.setAttribute('data-testid', 'chat-offline-send');
      [email, msg, err, go].forEach(function (x) { c.appendChild(x); });
      append(c);
      c.addEventListener('submit', function (e) {
        e.preventDefault();
        if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(email.value)) { err.textContent = T.badEmail; email.focus(); return; }
        if (send({ type: 'offline_message', email: email.value.trim(), text: msg.value })) {
          c.remove();
          systemLine(T.leftMessage);
        }
      });
      if (isOpen()) email.focus();
    }
    function csatForm(askNps) {
      var c = card('chat-csat');
      c.appendChild(el('p', null, T.rate));
      var stars = el('div', 'stars');
      stars.setAttribute('role', 'radiogroup');
      stars.setAttribute('aria-label', T.rate);
      var score = 0, buttons = [];
      for (var i = 1; i <= 5; i++) {
        (function (n) {
          var s = button('★', null, function () {
            score = n;
            buttons.forEach(function (b, k) { b.classList.toggle('on', k < n); b.setAttribute('aria-checked', String(k + 1 === n)); });
          });
          s.setAttribute('role', 'radio');
          s.setAttribute('aria-checked', 'false');
          s.setAttribute('aria-label', T.star(n));
          s.setAttribute('data-testid', 'chat-csat-' + n);
          buttons.push(s);
          stars.appendChild(s);
        })(i);
      }
      c.appendChild(stars);
      var comment = el('textarea');
      comment.rows = 2;
      comment.placeholder = T.comment;
      comment.setAttribute('aria-label', T.comment);
      comment.setAttribute('data-testid', 'chat-csat-comment');
      c.appendChild(comment);
      var go = button(T.submit, 'go', function () {
        if (!score) { buttons[0].focus(); return; }
        var f = { type: 'csat', score: score };
        if (comment.value.trim()) f.comment = comment.value.trim();
        if (!send(f)) return;
        store('chat.rated', conv);
        c.remove();
        systemLine(T.thanks).setAttribute('data-testid', 'chat-thanks');
        if (askNps) npsForm();
      });
      go.setAttribute('data-testid', 'chat-csat-send');
      c.appendChild(go);
    }
    function npsForm() {
      var c = card('chat-nps');
      c.appendChild(el('p', null, T.nps));
      var row = el('div', 'scale');
      row.setAttribute('role', 'group');
      row.setAttribute('aria-label', T.nps);
      for (var i = 0; i <= 10; i++) {
        (function (n) {
          row.appendChild(button(String(n), null, function () { if (send({ type: 'nps', score: n })) c.remove(); }));
        })(i);
      }
      c.appendChild(row);
    }

    // ---- Opening and closing ----------------------------------------------------------------
    function open() {
      panel.hidden = false;
      ctx.launcher.setAttribute('aria-expanded', 'true');
      session('chat.open', '1');
      unread = 0;
      setBadge();
      markRead();
      connect();
      scroll();
      input.focus();
    }
    function close() {
      panel.hidden = true;
      ctx.launcher.setAttribute('aria-expanded', 'false');
      session('chat.open', null);
      ctx.launcher.focus();
    }
    closeBtn.addEventListener('click', close);
    panel.addEventListener('keydown', function (e) { if (e.key === 'Escape') close(); });
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible' && isOpen()) { unread = 0; setBadge(); markRead(); }
    });

    restorePending();
    return {
      open: open,
      close: close,
      toggle: function () { if (isOpen()) close(); else open(); },
      resume: function () {
        var wasOpen = false;
        try { wasOpen = sessionStorage.getItem('chat.open') === '1'; } catch (e) { /* private mode */ }
        if (wasOpen) open();
        else connect();
      },
      track: function (event, data) {
        var f = { type: 'track', event: event, value: Number(data.value), currency: String(data.currency || '').toUpperCase() };
        if (data.order != null) f.order = String(data.order);
        outbox.push(f);
        saveOutbox();
        if (!send(f)) connect();
      }
    };
  });
})();
