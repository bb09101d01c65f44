// relay.mjs — the baseline for chat-bench: a Node.js chat relay on the `ws` package, doing the
// visitor side of docs/protocol.md the way a competent Node service would. Each message is
// parsed, checked, appended to a JSON Lines log with group commit (every frame that arrives
// while a write+fdatasync is under way joins the next batch: one fdatasync per batch), and
// only once durable is it acknowledged, echoed and answered (a keyword FAQ lookup stands in for
// the bot). It also answers `helpful` (resolved), `csat` (ok), `handoff` (no_agent) and
// `resolve`, so chat-bench's conversations run unchanged. One process, as such relays run.
//
//   node bench/baseline/relay.mjs --port 18700 --data DIR
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import http from 'node:http';
import { WebSocketServer } from 'ws';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const port = Number(args.port || 18700);
const dataDir = args.data || './baseline-data';
fs.mkdirSync(dataDir, { recursive: true });
const fd = fs.openSync(path.join(dataDir, 'events.jsonl'), 'a');

// A handful of answers: the baseline's stand-in for the FAQ bot.
const faq = [
  [/livr|deliver|ship|arriv/i, 'delivery_time', 'Orders arrive in 2 to 4 working days.'],
  [/rembours|refund/i, 'refund_status', 'Refunds are paid within 5 days of receiving the return.'],
  [/retour|return/i, 'return_policy', 'You have 30 days to return an item.'],
  [/pay|paie|carte|card/i, 'payment_methods', 'We accept cards, PayPal and bank transfer.'],
  [/code|promo/i, 'promo_code', 'Enter the code in your basket before paying.'],
  [/suivi|track|colis|parcel|where/i, 'order_tracking', 'Your tracking link is in the confirmation email.'],
];
function answer(text) {
  for (const [re, faqId, reply] of faq) if (re.test(text)) return { faq: faqId, text: reply, outcome: 'answer' };
  return { faq: null, text: 'Could you tell me more?', outcome: 'fallback' };
}

// Group commit: one write and one fdatasync per batch of lines, callbacks after the sync.
let pending = [];
let writing = false;
let seq = 0;
function append(lines, done) {
  pending.push({ lines, done });
  if (!writing) flush();
}
function flush() {
  if (pending.length === 0) { writing = false; return; }
  writing = true;
  const batch = pending;
  pending = [];
  const buf = Buffer.from(batch.map((b) => b.lines.join('')).join(''));
  fs.write(fd, buf, 0, buf.length, null, (err) => {
    if (err) return finish(batch, err);
    fs.fdatasync(fd, (err2) => finish(batch, err2));
  });
}
function finish(batch, err) {
  for (const b of batch) b.done(err);
  flush();
}
const line = (e) => JSON.stringify({ v: 1, node: 'node-baseline', seq: ++seq, ts: Date.now(), ...e }) + '\n';

let convs = 0;
const server = http.createServer((req, res) => { res.writeHead(404); res.end(); });
const wss = new WebSocketServer({ server, path: '/ws/visitor', perMessageDeflate: false, maxPayload: 65536 });
wss.on('connection', (ws) => {
  const visitor = crypto.randomBytes(8).toString('hex');
  let conv = null;
  let convSeq = 0;
  const send = (o) => ws.send(JSON.stringify(o));
  const error = (code, message) => send({ type: 'error', code, message });
  send({ type: 'welcome', visitor, token: visitor, conv: null, last_seq: 0 });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return error('bad_request', 'binary frames are not accepted');
    let f;
    try { f = JSON.parse(data); } catch { return error('bad_json', 'not JSON'); }
    if (!f || typeof f !== 'object' || typeof f.type !== 'string') return error('bad_request', 'no type');
    if (f.type === 'message') {
      if (typeof f.client_id !== 'string' || !f.client_id || typeof f.text !== 'string' || !f.text.trim())
        return error('bad_request', 'message needs client_id and text');
      const lines = [];
      if (!conv) {
        conv = `cnode-${++convs}`;
        convSeq = 0;
        lines.push(line({ type: 'conversation.opened', conv, visitor }));
      }
      const mseq = ++convSeq;
      const msg = { type: 'message', conv, msg: `${conv}.${mseq}`, seq: mseq, author: 'visitor', text: f.text, client_id: f.client_id };
      const a = answer(f.text);
      const bseq = ++convSeq;
      const bot = { type: 'message', conv, msg: `${conv}.${bseq}`, seq: bseq, author: 'bot', text: a.text, faq: a.faq, outcome: a.outcome, suggestions: [] };
      lines.push(line({ ...msg, seq: undefined }), line({ ...bot, seq: undefined }));
      append(lines, (err) => {
        if (err) return error('unavailable', 'cannot store messages right now');
        const ts = Date.now();
        send({ ...msg, ts });
        send({ type: 'ack', client_id: f.client_id, msg: msg.msg, seq: mseq });
        send({ ...bot, ts });
      });
    } else if (f.type === 'helpful' || f.type === 'resolve') {
      if (!conv) return error('bad_request', 'no open conversation');
      const rseq = ++convSeq;
      append([line({ type: 'conversation.resolved', conv, by: f.type === 'helpful' ? 'bot' : 'visitor' })], (err) => {
        if (err) return error('unavailable', 'cannot store right now');
        send({ type: 'resolved', conv, seq: rseq, ts: Date.now(), by: 'bot', ask_csat: true });
      });
    } else if (f.type === 'csat') {
      if (!Number.isInteger(f.score) || f.score < 1 || f.score > 5) return error('bad_request', 'csat 1..5');
      const c = conv;
      conv = null;  // the next message opens a new conversation
      append([line({ type: 'csat', conv: c, score: f.score })], (err) => {
        if (err) return error('unavailable', 'cannot store right now');
        send({ type: 'ok', for: 'csat' });
      });
    } else if (f.type === 'handoff') {
      send({ type: 'no_agent', conv, hours: 'no agent in this baseline' });
    } else {
      error('bad_request', `unknown frame type '${f.type}'`);
    }
  });
});
server.listen(port, '127.0.0.1', () => console.log(`relay listening on ws://127.0.0.1:${port}/ws/visitor (pid ${process.pid})`));
process.on('SIGTERM', () => { fs.fdatasyncSync(fd); process.exit(0); });
