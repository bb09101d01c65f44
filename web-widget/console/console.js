/* console.js — the agent console: sign-in, presence, the queue and the agent's conversations,
 * the transcript with the visitor's details, replies with canned responses ("/"), internal
 * notes, tags, transfer and resolve.
 *
 * Speaks the agent protocol of docs/protocol.md over /ws/agent (authenticated by the session
 * cookie). After a reconnect the server's `hello` lists every conversation the agent holds with
 * its whole history; frames are kept by seq, so nothing is drawn twice. A new assignment rings
 * (Web Audio) and shows in the page title until the console is looked at. All text from the
 * network is set as text (el() in staff.js), never as HTML. */
import { api, duration, el, signIn, signOut } from '/staff/staff.js';

const $ = (id) => document.getElementById(id);
const SLA_MS = 60_000;

const state = {
  me: null,
  convs: new Map(),      // conv id -> {id, visitor, priority, tags, frames: Map(seq -> frame), unread, closed}
  queue: [],
  selected: null,
  pending: new Map(),    // client_id -> {conv, text}
  canned: [],
  agents: [],
  fresh: 0,              // new assignments not looked at yet
  sound: localStorage.getItem('console.sound') !== 'off',
};

// ---- Connection ------------------------------------------------------------------------------
let ws = null, retries = 0, retryTimer = null, everConnected = false;

async function connect() {
  clearTimeout(retryTimer);
  setConn(everConnected ? 'Reconnecting…' : 'Connecting…');
  // A session that expired or was ended elsewhere goes back to the sign-in form (the socket
  // itself would only wait for an auth frame).
  try {
    await api('/api/me');
  } catch (e) {
    if (e.status === 401) { location.reload(); return; }
  }
  const sock = new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws/agent');
  ws = sock;
  sock.onmessage = (ev) => {
    let f;
    try { f = JSON.parse(ev.data); } catch { return; }
    if (sock === ws) onFrame(f);
  };
  sock.onclose = (ev) => {
    if (sock !== ws) return;
    ws = null;
    setConn('Offline — reconnecting');
    if (ev.code === 1008 && /session/.test(ev.reason)) { location.reload(); return; }
    const delay = Math.min(30_000, 500 * 2 ** retries++) * (0.5 + Math.random() / 2);
    retryTimer = setTimeout(connect, delay);
  };
}
function send(frame) {
  if (!ws || ws.readyState !== WebSocket.OPEN) { toast('Not connected: try again in a moment.'); return false; }
  ws.send(JSON.stringify(frame));
  return true;
}
function setConn(text) { $('conn').textContent = text; }
window.addEventListener('online', () => { if (!ws) { retries = 0; connect(); } });

// ---- Frames ----------------------------------------------------------------------------------
function onFrame(f) {
  switch (f.type) {
  case 'hello': {
    everConnected = true;
    retries = 0;
    setConn('Connected');
    $('presence').value = f.status || 'offline';
    $('presence').dataset.confirmed = $('presence').value;
    const held = new Set();
    for (const a of f.conversations || []) { held.add(a.conv); addConversation(a, false); }
    for (const [id, c] of state.convs) if (!held.has(id) && !c.closed) c.closed = 'requeued';
    renderAll();
    break;
  }
  case 'queue':
    state.queue = f.items || [];
    renderLists();
    break;
  case 'status':
    // The server's confirmation: data-confirmed says which presence is in force.
    $('presence').value = f.status;
    $('presence').dataset.confirmed = f.status;
    break;
  case 'assigned':
    addConversation(f, true);
    renderAll();
    break;
  case 'message':
  case 'note':
  case 'resolved': {
    const c = state.convs.get(f.conv);
    if (!c) break;
    const isNew = addFrame(c, f);
    if (isNew && f.type === 'message' && f.author === 'visitor' && (state.selected !== c.id || document.hidden)) c.unread++;
    if (f.conv === state.selected) renderTranscript(); else renderLists();
    if (f.author === 'visitor') $('typing').textContent = '';
    updateTitle();
    break;
  }
  case 'ack': {
    const p = state.pending.get(f.client_id);
    state.pending.delete(f.client_id);
    const c = state.convs.get(f.conv || (p && p.conv));
    if (c && p && !c.frames.has(f.seq))
      addFrame(c, { type: 'message', conv: c.id, seq: f.seq, msg: f.msg, ts: Date.now(), author: 'agent', agent_name: state.me.user, text: p.text });
    if (c && c.id === state.selected) renderTranscript();
    break;
  }
  case 'tagged': {
    const c = state.convs.get(f.conv);
    if (c) { c.tags = f.tags || []; if (c.id === state.selected) renderDetails(); }
    break;
  }
  case 'typing':
    if (f.conv === state.selected && f.author === 'visitor') {
      $('typing').textContent = f.on ? 'The shopper is typing…' : '';
    }
    break;
  case 'closed': {
    const c = state.convs.get(f.conv);
    if (c) c.closed = f.reason || 'closed';
    renderAll();
    break;
  }
  case 'error':
    toast(f.message || f.code);
    break;
  }
}

function addConversation(a, live) {
  let c = state.convs.get(a.conv);
  if (!c) {
    c = { id: a.conv, frames: new Map(), unread: 0, closed: null, tags: [] };
    state.convs.set(a.conv, c);
    if (live) notifyNew(c);
  }
  c.closed = null;
  c.visitor = a.visitor || c.visitor || {};
  c.priority = a.priority;
  c.tags = a.tags || c.tags;
  for (const f of a.history || []) addFrame(c, f);
  if (live && state.selected == null) select(c.id);
}

// Frames are kept by seq: a replay after a reconnect adds nothing twice.
// `ts` is wall-clock ms; a frame without a plausible one is dated when the console got it.
function addFrame(c, f) {
  if (f.seq == null) return false;
  if (!(f.ts > 1e12)) f.ts = c.frames.get(f.seq)?.ts ?? Date.now();
  const isNew = !c.frames.has(f.seq);
  c.frames.set(f.seq, f);
  return isNew;
}

function frames(c) { return [...c.frames.values()].sort((a, b) => a.seq - b.seq); }

// Since when the visitor waits for an answer (their first message after the last agent reply).
function waitingSince(c) {
  let since = null;
  for (const f of frames(c)) {
    if (f.type !== 'message') continue;
    if (f.author === 'visitor') { if (since == null) since = f.ts; }
    else if (f.author === 'agent') since = null;
  }
  return since;
}

// The list shows what the shopper said last (or the last message if they said nothing yet).
function lastText(c) {
  const all = frames(c).filter((f) => f.type === 'message');
  const theirs = all.filter((f) => f.author === 'visitor');
  const last = theirs.length ? theirs[theirs.length - 1] : all[all.length - 1];
  return last ? last.text : '';
}

// ---- Notifications ---------------------------------------------------------------------------
let audio = null;
function beep() {
  if (!state.sound) return;
  try {
    audio = audio || new AudioContext();
    const t = audio.currentTime;
    for (const [i, freq] of [[0, 880], [1, 1175]]) {
      const o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = freq;
      g.gain.setValueAtTime(0.0001, t + i * 0.16);
      g.gain.exponentialRampToValueAtTime(0.2, t + i * 0.16 + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.16 + 0.15);
      o.connect(g).connect(audio.destination);
      o.start(t + i * 0.16);
      o.stop(t + i * 0.16 + 0.16);
    }
  } catch { /* no audio device */ }
}
function notifyNew(c) {
  state.fresh++;
  c.unread = Math.max(c.unread, 1);
  beep();
  updateTitle();
}
function updateTitle() {
  let n = state.fresh;
  for (const c of state.convs.values()) if (!c.closed) n += c.unread;
  document.title = (n ? `(${n}) ` : '') + 'Agent console';
}
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) {
    state.fresh = 0;
    const c = state.convs.get(state.selected);
    if (c) c.unread = 0;
    renderLists();
    updateTitle();
  }
});
window.addEventListener('focus', () => { state.fresh = 0; updateTitle(); });

// ---- Lists -----------------------------------------------------------------------------------
// "FR · Visitor 9bd9c0": the language and a short form of the visitor id (the full id is in the details).
function who(lang, visitor) {
  return `${lang ? lang.toUpperCase() + ' · ' : ''}Visitor ${String(visitor || '').replace(/^v/, '').slice(0, 6)}`;
}

function renderLists() {
  const now = Date.now();
  const queue = $('queue');
  queue.replaceChildren(...state.queue.map((q) => el('li', {},
    el('div', { class: 'item', 'data-testid': 'queue-item' },
      el('div', { class: 'row' },
        el('span', { class: 'who', title: q.visitor, text: who(q.lang, q.visitor) }),
        q.priority ? el('span', { class: 'prio', text: 'PRIORITY' }) : null,
        el('span', { class: 'wait' + (now - q.queued_ms > SLA_MS ? ' late' : ''), text: duration(now - q.queued_ms) })),
      el('div', { class: 'preview', text: q.preview || '' }),
      el('button', { class: 'btn take', type: 'button', 'data-testid': 'accept', onclick: () => send({ type: 'accept', conv: q.conv }) }, 'Take')))));
  if (!state.queue.length) queue.replaceChildren(el('li', { class: 'muted item', text: 'Nobody is waiting.' }));
  $('queue-count').textContent = state.queue.length;

  const mine = [...state.convs.values()].filter((c) => !c.closed || c.id === state.selected);
  $('mine-count').textContent = mine.filter((c) => !c.closed).length;
  $('mine').replaceChildren(...mine.map((c) => {
    const since = waitingSince(c);
    return el('li', {},
      el('button', {
        class: 'item', type: 'button', 'data-testid': 'conversation-item', 'data-conv': c.id,
        'aria-current': c.id === state.selected ? 'true' : 'false', onclick: () => select(c.id),
      },
      el('div', { class: 'row' },
        el('span', { class: 'who', title: c.visitor.id, text: who(c.visitor.lang, c.visitor.id) }),
        c.priority ? el('span', { class: 'prio', text: 'PRIORITY' }) : null,
        c.closed ? el('span', { class: 'wait', text: c.closed }) :
          since != null ? el('span', { class: 'wait' + (now - since > SLA_MS ? ' late' : ''), title: 'Waiting for a reply', text: duration(now - since) }) : null,
        c.unread ? el('span', { class: 'unread', 'data-testid': 'unread', 'aria-label': `${c.unread} unread`, text: c.unread }) : null),
      el('div', { class: 'preview', text: lastText(c) })));
  }));
  if (!mine.length) $('mine').replaceChildren(el('li', { class: 'muted item', text: 'No conversation assigned.' }));
}
setInterval(() => { if (state.me) renderLists(); }, 5000);

function select(id) {
  state.selected = id;
  const c = state.convs.get(id);
  if (c) c.unread = 0;
  state.fresh = 0;
  $('typing').textContent = '';
  renderAll();
  updateTitle();
  $('reply').focus();
}

function renderAll() {
  // Drop closed conversations that are not on screen.
  for (const [id, c] of state.convs) if (c.closed && id !== state.selected) state.convs.delete(id);
  renderLists();
  renderTranscript();
  renderDetails();
}

// ---- Transcript ------------------------------------------------------------------------------
function time(ts) { return ts ? new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : ''; }

function renderTranscript() {
  const c = state.convs.get(state.selected);
  $('empty').hidden = !!c;
  $('transcript').hidden = !c;
  $('composer').hidden = !c || !!c.closed;
  if (!c) return;
  const box = $('transcript');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const nodes = [];
  for (const f of frames(c)) {
    if (f.type === 'message') {
      if (f.author === 'system') { nodes.push(el('p', { class: 'sys', text: f.text })); continue; }
      const name = f.author === 'visitor' ? 'Shopper' : f.author === 'bot' ? 'Bot' : (f.agent_name || 'Agent');
      nodes.push(el('div', { class: `msg ${f.author}`, 'data-testid': 'transcript-message', 'data-author': f.author },
        el('span', { class: 'meta', text: `${name} · ${time(f.ts)}` }), f.text));
    } else if (f.type === 'note') {
      nodes.push(el('div', { class: 'msg note', 'data-testid': 'transcript-note' },
        el('span', { class: 'meta', text: `Internal note · ${f.agent || ''} · ${time(f.ts)}` }), f.text));
    } else if (f.type === 'assigned') {
      nodes.push(el('p', { class: 'sys', text: `${f.agent_name} joined · ${time(f.ts)}` }));
    } else if (f.type === 'resolved') {
      nodes.push(el('p', { class: 'sys', text: `Resolved by ${f.by || '—'} · ${time(f.ts)}` }));
    }
  }
  for (const p of state.pending.values())
    if (p.conv === c.id) nodes.push(el('div', { class: 'msg agent pending' }, el('span', { class: 'meta', text: 'Sending…' }), p.text));
  if (c.closed) nodes.push(el('p', { class: 'banner', 'data-testid': 'closed-banner', text: c.closed === 'resolved' ? 'Conversation resolved.' : `Conversation closed (${c.closed}).` }));
  box.replaceChildren(...nodes);
  if (atBottom || nodes.length < 30) box.scrollTop = box.scrollHeight;
}

// ---- Details ---------------------------------------------------------------------------------
function renderDetails() {
  const c = state.convs.get(state.selected);
  $('details').hidden = !c;
  if (!c) return;
  const v = c.visitor || {};
  const dl = [['Visitor', v.id], ['Language', v.lang ? v.lang.toUpperCase() : '—'], ['Page', v.page || '—'], ['Conversation', c.id]];
  $('visitor').replaceChildren(...dl.flatMap(([k, val]) => [el('dt', { text: k }), el('dd', { 'data-testid': `visitor-${k.toLowerCase()}`, text: val || '—' })]));
  $('tags').replaceChildren(...(c.tags || []).map((t) => el('li', { 'data-testid': 'tag', text: t })));
  const past = v.past_conversations || [];
  $('past').replaceChildren(...(past.length ? past.map((p) => el('li', {},
    el('b', { text: new Date(p.opened_ms).toLocaleDateString() }), ' ',
    el('span', { text: `${p.stage}${p.resolved_by ? ' by ' + p.resolved_by : ''}${p.agent ? ' · ' + p.agent : ''}${p.tags && p.tags.length ? ' · ' + p.tags.join(', ') : ''}` })))
    : [el('li', { class: 'muted', text: 'First conversation.' })]));
  for (const id of ['resolve', 'tag-input']) $(id).disabled = !!c.closed;
  fillTransfer();
}

async function loadAgents() {
  try { state.agents = await api('/api/agents'); } catch { /* keep the old list */ }
  fillTransfer();
}
function fillTransfer() {
  const sel = $('transfer-to');
  const others = state.agents.filter((a) => a.agent !== state.me.user);
  const keep = sel.value;
  sel.replaceChildren(...(others.length ? others.map((a) => el('option', {
    value: a.agent, text: `${a.agent} — ${a.connected ? a.status : 'disconnected'}, ${a.load}/${a.capacity}`,
  })) : [el('option', { value: '', text: 'No other agent' })]));
  if (keep) sel.value = keep;
}

// ---- Composer and canned responses -----------------------------------------------------------
let cannedIndex = 0, cannedShown = [], cannedDismissed = false;

function mode() { return document.querySelector('input[name=mode]:checked').value; }

function sendReply() {
  const c = state.convs.get(state.selected);
  const text = $('reply').value.trim();
  if (!c || !text) return;
  if (mode() === 'note') {
    if (!send({ type: 'note', conv: c.id, text })) return;
  } else {
    const client_id = crypto.randomUUID();
    if (!send({ type: 'message', conv: c.id, text, client_id })) return;
    state.pending.set(client_id, { conv: c.id, text });
    if (typingOn) { send({ type: 'typing', conv: c.id, on: false }); typingOn = false; }
  }
  $('reply').value = '';
  hideCanned();
  renderTranscript();
}

function showCanned() {
  const v = $('reply').value;
  if (!v.startsWith('/')) return hideCanned();
  const q = v.slice(1).toLowerCase();
  const c = state.convs.get(state.selected);
  const lang = c && c.visitor && c.visitor.lang;
  cannedShown = state.canned
    .filter((r) => !q || r.title.toLowerCase().includes(q) || r.id.toLowerCase().includes(q) || r.text.toLowerCase().includes(q))
    .sort((a, b) => (b.lang === lang) - (a.lang === lang));
  cannedIndex = Math.min(cannedIndex, Math.max(0, cannedShown.length - 1));
  const list = $('canned');
  list.hidden = !cannedShown.length;
  list.replaceChildren(...cannedShown.map((r, i) => el('li', {
    role: 'option', id: `canned-${i}`, 'aria-selected': i === cannedIndex ? 'true' : 'false', 'data-testid': 'canned-item',
    onmousedown: (e) => { e.preventDefault(); useCanned(i); },
  }, el('b', { text: `${r.title} · ${r.lang}` }), el('span', { text: r.text }))));
  $('reply').setAttribute('aria-activedescendant', cannedShown.length ? `canned-${cannedIndex}` : '');
}
function hideCanned() { $('canned').hidden = true; cannedShown = []; cannedIndex = 0; $('reply').removeAttribute('aria-activedescendant'); }
function useCanned(i) {
  const r = cannedShown[i];
  if (!r) return;
  $('reply').value = r.text;
  hideCanned();
  $('reply').focus();
}

let typingOn = false, typingTimer = null;
$('reply').addEventListener('input', () => {
  cannedDismissed = false;
  showCanned();
  const c = state.convs.get(state.selected);
  if (!c || mode() !== 'reply') return;
  if (!typingOn && $('reply').value) typingOn = send({ type: 'typing', conv: c.id, on: true });
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => { if (typingOn) { send({ type: 'typing', conv: c.id, on: false }); typingOn = false; } }, 3000);
});
$('reply').addEventListener('keydown', (e) => {
  // A "/" word that names canned responses is never sent to the shopper as it is: Enter or Tab
  // takes the highlighted one, even if the list was hidden meanwhile (the box lost the focus a
  // moment); only Escape lets "/…" go out as typed.
  if ((e.key === 'Enter' || e.key === 'Tab') && !cannedShown.length && !cannedDismissed) showCanned();
  if (cannedShown.length) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      cannedIndex = (cannedIndex + (e.key === 'ArrowDown' ? 1 : cannedShown.length - 1)) % cannedShown.length;
      return showCanned();
    }
    if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); return useCanned(cannedIndex); }
    if (e.key === 'Escape') { e.preventDefault(); cannedDismissed = true; return hideCanned(); }
  }
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendReply(); }
});
$('reply').addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== $('reply')) hideCanned(); }, 100));
$('composer').addEventListener('submit', (e) => { e.preventDefault(); sendReply(); });
for (const r of document.querySelectorAll('input[name=mode]')) {
  r.addEventListener('change', () => {
    const note = mode() === 'note';
    $('composer').classList.toggle('note-mode', note);
    $('reply').placeholder = note ? 'Internal note: only agents see it…' : 'Reply to the shopper…';
    $('reply').setAttribute('aria-label', note ? 'Internal note' : 'Reply');
    $('reply').focus();
  });
}

// ---- Actions ---------------------------------------------------------------------------------
$('resolve').addEventListener('click', () => {
  if (state.selected) send({ type: 'resolve', conv: state.selected });
});
$('tag-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const tag = $('tag-input').value.trim();
  if (tag && state.selected && send({ type: 'tag', conv: state.selected, tag })) $('tag-input').value = '';
});
$('transfer-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const to = $('transfer-to').value;
  if (to && state.selected) send({ type: 'transfer', conv: state.selected, to });
});
$('transfer-to').addEventListener('focus', loadAgents);
$('presence').addEventListener('change', () => send({ type: 'status', status: $('presence').value }));
$('logout').addEventListener('click', signOut);
$('sound').addEventListener('click', () => {
  state.sound = !state.sound;
  localStorage.setItem('console.sound', state.sound ? 'on' : 'off');
  $('sound').setAttribute('aria-pressed', String(state.sound));
  $('sound').textContent = state.sound ? 'Sound on' : 'Sound off';
  if (state.sound) beep();
});

let toastTimer = null;
function toast(text) {
  let t = document.querySelector('.toast');
  if (!t) { t = el('div', { class: 'toast', role: 'alert', 'data-testid': 'toast' }); document.body.appendChild(t); }
  t.textContent = text;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.remove(), 5000);
}

// ---- Start -----------------------------------------------------------------------------------
state.me = await signIn($('login'), ['agent', 'manager']);
$('me').textContent = state.me.user;
$('sound').setAttribute('aria-pressed', String(state.sound));
if (!state.sound) $('sound').textContent = 'Sound off';
$('app').hidden = false;
api('/api/canned').then((list) => { state.canned = Array.isArray(list) ? list : []; }).catch(() => {});
loadAgents();
renderAll();
connect();
