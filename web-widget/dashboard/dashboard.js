/* dashboard.js — the manager dashboard: the KPI report of GET /api/kpi for a date range, as
 * cards (each with its definition on hover or focus), charts (uPlot, served under /vendor/),
 * top FAQ topics, top unanswered questions and the per-agent table; refreshed every 10 s while
 * "Live" is on and the page is visible; exported as CSV. Report keys and definitions:
 * docs/kpi.md and docs/event-log.md. Every text from the report is set as text. */
import { api, duration, el, signIn, signOut } from '/staff/staff.js';

const $ = (id) => document.getElementById(id);
// Live refresh period: 10 s, or ?refresh=SECONDS (at least 1).
const LIVE_MS = Math.max(1, Number(new URLSearchParams(location.search).get('refresh')) || 10) * 1000;

const pct = (x) => (x == null ? '—' : `${(x * 100).toFixed(x >= 0.995 || x === 0 ? 0 : 1)} %`);
const ms = (d) => duration(d);
const num = (x, digits = 1) => (x == null ? '—' : Number(x).toFixed(digits));

// One card per report key: data-testid "kpi-<key>".
const CARDS = [
  { key: 'conversations', title: 'Conversations', value: (r) => String(r.conversations),
    sub: (r) => `${r.counts.visitors} visitors · ${r.counts.handoffs} handoffs`,
    def: 'Conversations opened in the range (conversation.opened), the base of every other figure.' },
  { key: 'first_response_ms', title: 'First response', value: (r) => ms(r.first_response_ms.p50),
    sub: (r) => `median · p90 ${ms(r.first_response_ms.p90)} · ${r.first_response_ms.count} conv.`,
    def: 'Time from the shopper\'s first message to the first reply, bot or agent. Median shown; greetings sent before the shopper wrote do not count.' },
  { key: 'agent_first_response_ms', title: 'Agent first response', value: (r) => ms(r.agent_first_response_ms.p50),
    sub: (r) => `median · p90 ${ms(r.agent_first_response_ms.p90)} · ${r.unanswered_handoffs} unanswered`,
    def: 'Time from the first handoff request to the first agent message after it. Median shown; handoffs no agent answered are counted apart.' },
  { key: 'fcr_rate', title: 'First-contact resolution', value: (r) => pct(r.fcr_rate),
    sub: (r) => `of ${r.counts.resolved} resolved`,
    def: 'Share of resolved conversations never reopened and whose shopper did not come back within 7 days of the resolution.' },
  { key: 'bot_containment_rate', title: 'Bot containment', value: (r) => pct(r.bot_containment_rate),
    sub: (r) => `of ${r.counts.resolved} resolved`,
    def: 'Share of resolved conversations resolved without any handoff to a human.' },
  { key: 'handoff_rate', title: 'Handoff rate', value: (r) => pct(r.handoff_rate),
    sub: (r) => `${r.counts.handoffs} of ${r.conversations}`,
    def: 'Share of conversations in which a human was asked for (handoff.requested).' },
  { key: 'abandonment_rate', title: 'Abandonment', value: (r) => pct(r.abandonment_rate),
    sub: (r) => `of ${r.counts.handoffs} handoffs`,
    def: 'Share of conversations with a handoff that the shopper left while waiting in the queue.' },
  { key: 'sla_rate', title: 'SLA', value: (r) => pct(r.sla_rate),
    sub: (r) => `agent first response ≤ 60 s · ${r.counts.answered_handoffs} answered`,
    def: 'Share of answered handoffs whose agent first response is within the target (60 s).' },
  { key: 'csat', title: 'CSAT', value: (r) => (r.csat.mean == null ? '—' : `${num(r.csat.mean)} / 5`),
    sub: (r) => `${pct(r.csat.satisfied_rate)} satisfied · ${r.csat.count} ratings`,
    def: 'Mean of the last rating (1 to 5 stars) of each rated conversation; "satisfied" is the share of 4 and 5.' },
  { key: 'nps', title: 'NPS', value: (r) => (r.nps.score == null ? '—' : num(r.nps.score, 0)),
    sub: (r) => `${r.nps.count} answers`,
    def: 'Net Promoter Score: promoters (9–10) minus detractors (0–6), as a percentage of the shoppers who answered (last answer of each).' },
  { key: 'conversion_rate', title: 'Conversion after chat', value: (r) => pct(r.conversion_rate.all),
    sub: (r) => `bot ${pct(r.conversion_rate.bot_resolved)} · agent ${pct(r.conversion_rate.agent_resolved)}`,
    def: 'Share of shoppers who chatted and bought (ChatWidget.track("purchase")) within 7 days of opening a conversation.' },
  { key: 'queue_wait_ms', title: 'Queue wait', value: (r) => ms(r.queue_wait_ms.p50),
    sub: (r) => `median · p90 ${ms(r.queue_wait_ms.p90)}`,
    def: 'Time from a handoff request to the assignment of an agent.' },
  { key: 'resolution_ms', title: 'Resolution time', value: (r) => ms(r.resolution_ms.p50),
    sub: (r) => `median · p90 ${ms(r.resolution_ms.p90)}`,
    def: 'Time from the opening of a conversation to its last resolution.' },
  { key: 'transfer_rate', title: 'Transfers', value: (r) => pct(r.transfer_rate),
    sub: (r) => `of ${r.counts.assigned} assigned`,
    def: 'Share of conversations given to an agent that were transferred to another agent.' },
];

// ---- Range -----------------------------------------------------------------------------------
const day = (d) => d.toISOString().slice(0, 10);
function preset(days) {
  const to = new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  $('from').value = day(from);
  $('to').value = day(to);
}

// ---- Loading ---------------------------------------------------------------------------------
let report = null, timer = null, inflight = false;

async function refresh() {
  clearTimeout(timer);
  if (inflight) return;
  inflight = true;
  const from = $('from').value, to = $('to').value;
  try {
    if (!from || !to) throw new Error('choose both dates');
    if (from > to) throw new Error('the start date is after the end date');
    report = await api(`/api/kpi?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    $('error').hidden = true;
    render(report);
    $('updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    if (e.status === 401) { location.reload(); return; }
    $('error').hidden = false;
    $('error').textContent = `Could not load the report: ${e.message}`;
  } finally {
    inflight = false;
    if ($('live').checked && !document.hidden) timer = setTimeout(refresh, LIVE_MS);
  }
}
document.addEventListener('visibilitychange', () => { if (!document.hidden && $('live').checked) refresh(); });

// ---- Rendering -------------------------------------------------------------------------------
function render(r) {
  $('cards').replaceChildren(...CARDS.map((c) => el('article', { class: 'card', tabindex: '0', 'data-testid': `kpi-${c.key}`, 'aria-describedby': `def-${c.key}` },
    el('h3', { text: c.title }),
    el('div', { class: 'value', 'data-testid': `kpi-${c.key}-value`, text: c.value(r) }),
    el('div', { class: 'sub', text: c.sub(r) }),
    el('div', { class: 'def', role: 'tooltip', id: `def-${c.key}`, text: c.def }))));
  table('topics', r.topics.slice(0, 10).map((t) => [t.faq ?? '(no topic)', t.answers]));
  table('unanswered', r.unanswered.slice(0, 10).map((u) => [u.text ?? '(erased)', u.count]));
  table('agents', r.agents.map((a) => [a.agent, a.assigned, a.resolved, ms(a.first_response_p50_ms), a.csat_mean == null ? '—' : num(a.csat_mean)]));
  charts(r);
}

function table(id, rows) {
  const body = $(id).tBodies[0];
  if (!rows.length) { body.replaceChildren(el('tr', {}, el('td', { class: 'muted', colspan: '5', text: 'Nothing in this range.' }))); return; }
  body.replaceChildren(...rows.map((cells) => el('tr', {}, ...cells.map((c, i) => el('td', { class: i ? 'num' : null, text: String(c) })))));
}

// ---- Charts ----------------------------------------------------------------------------------
const plots = {};
const BLUE = '#1f4e79', ORANGE = '#f5a623', GREEN = '#1e7b34';

function plot(id, opts, data) {
  const box = $(id);
  plots[id]?.destroy();
  delete plots[id];
  if (!window.uPlot) { box.replaceChildren(el('p', { class: 'none', text: 'Charts unavailable (uPlot not served).' })); return; }
  box.replaceChildren();
  plots[id] = new window.uPlot({ width: Math.max(280, box.clientWidth), height: 220, ...opts }, data, box);
}
const bars = () => window.uPlot.paths.bars({ size: [0.7, 60] });

// Every day of the chosen range, so a quiet day shows as a gap, not as nothing.
function rangeDays() {
  const out = [];
  const end = Date.parse(`${$('to').value}T00:00:00Z`);
  for (let t = Date.parse(`${$('from').value}T00:00:00Z`); t <= end && out.length < 400; t += 86_400_000) out.push(day(new Date(t)));
  return out;
}

function charts(r) {
  const days = rangeDays();
  plot('chart-day', {
    scales: { x: { time: true } },
    series: [{}, { label: 'Conversations', stroke: BLUE, fill: 'rgba(31,78,121,.35)', paths: bars() }],
    axes: [{}, { label: 'conversations' }],
  }, [days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000), days.map((d) => r.volume.by_day[d] ?? 0)]);

  plot('chart-hour', {
    scales: { x: { time: false, range: [-0.5, 23.5] } },
    series: [{ label: 'Hour' }, { label: 'Conversations', stroke: BLUE, fill: 'rgba(31,78,121,.35)', paths: bars() }],
    axes: [{ incrs: [1, 2, 3, 6], values: (u, ticks) => ticks.map((t) => `${t}h`) }, {}],
  }, [[...Array(24).keys()], r.volume.by_hour]);

  const h = r.response_histogram;
  if (h) {
    const labels = [...h.bounds_ms.map((b) => `≤ ${duration(b)}`), `> ${duration(h.bounds_ms[h.bounds_ms.length - 1])}`];
    plot('chart-resp', {
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] } },
      series: [{ label: 'Bucket', value: (u, v) => labels[v] ?? '' },
        { label: 'First response', stroke: BLUE, fill: 'rgba(31,78,121,.35)', paths: window.uPlot?.paths.bars({ size: [0.4, 40], align: -1 }) },
        { label: 'Agent first response', stroke: ORANGE, fill: 'rgba(245,166,35,.4)', paths: window.uPlot?.paths.bars({ size: [0.4, 40], align: 1 }) }],
      axes: [{ splits: () => labels.map((_, i) => i), values: (u, ticks) => ticks.map((t) => labels[t] ?? '') }, { label: 'conversations' }],
    }, [labels.map((_, i) => i), h.first_response, h.agent_first_response]);
  }

  const daily = r.daily || {};
  const qd = days;
  plot('chart-quality', {
    scales: { x: { time: true }, pct: { range: [0, 100] }, stars: { range: [0, 5] } },
    series: [{},
      { label: 'FCR %', scale: 'pct', stroke: GREEN, width: 2, points: { show: true }, spanGaps: true, value: (u, v) => (v == null ? '—' : `${v.toFixed(0)} %`) },
      { label: 'CSAT (1–5)', scale: 'stars', stroke: ORANGE, width: 2, points: { show: true }, spanGaps: true, value: (u, v) => (v == null ? '—' : v.toFixed(1)) }],
    axes: [{}, { scale: 'pct', values: (u, t) => t.map((v) => `${v} %`) }, { scale: 'stars', side: 1, grid: { show: false } }],
  }, [qd.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000),
    qd.map((d) => (daily[d]?.fcr_rate == null ? null : daily[d].fcr_rate * 100)),
    qd.map((d) => daily[d]?.csat_mean ?? null)]);
}
let resizeTimer = null;
window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(() => report && charts(report), 200); });

// ---- CSV export ------------------------------------------------------------------------------
function csvField(v) {
  const s = v == null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
function exportCsv() {
  if (!report) return;
  const r = report;
  const rows = [['section', 'key', 'value'], ['range', 'from', $('from').value], ['range', 'to', $('to').value],
    ['kpi', 'conversations', r.conversations]];
  for (const k of ['first_response_ms', 'agent_first_response_ms', 'response_ms_bot', 'response_ms_agent', 'queue_wait_ms', 'resolution_ms'])
    for (const f of ['count', 'mean', 'p50', 'p90', 'p99']) rows.push(['kpi', `${k}.${f}`, r[k][f]]);
  for (const k of ['fcr_rate', 'bot_containment_rate', 'handoff_rate', 'abandonment_rate', 'transfer_rate', 'sla_rate', 'unanswered_handoffs'])
    rows.push(['kpi', k, r[k]]);
  rows.push(['kpi', 'csat.count', r.csat.count], ['kpi', 'csat.mean', r.csat.mean], ['kpi', 'csat.satisfied_rate', r.csat.satisfied_rate]);
  rows.push(['kpi', 'nps.count', r.nps.count], ['kpi', 'nps.score', r.nps.score]);
  for (const [k, v] of Object.entries(r.conversion_rate)) rows.push(['kpi', `conversion_rate.${k}`, v]);
  for (const [d, n] of Object.entries(r.volume.by_day)) rows.push(['volume_by_day', d, n]);
  r.volume.by_hour.forEach((n, hr) => rows.push(['volume_by_hour', hr, n]));
  for (const t of r.topics) rows.push(['topic', t.faq ?? '', t.answers]);
  for (const u of r.unanswered) rows.push(['unanswered', u.text ?? '', u.count]);
  const lines = rows.map((row) => row.map(csvField).join(','));
  lines.push('', 'agent,assigned,resolved,first_response_p50_ms,csat_mean');
  for (const a of r.agents) lines.push([a.agent, a.assigned, a.resolved, a.first_response_p50_ms, a.csat_mean].map(csvField).join(','));
  const blob = new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv' });
  const a = el('a', { href: URL.createObjectURL(blob), download: `kpi_${$('from').value}_${$('to').value}.csv` });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// ---- Start -----------------------------------------------------------------------------------
const me = await signIn($('login'), ['manager']);
$('me').textContent = me.user;
$('app').hidden = false;
preset(6);
$('range').addEventListener('submit', (e) => { e.preventDefault(); $('preset').value = ''; refresh(); });
$('preset').addEventListener('change', () => { if ($('preset').value !== '') { preset(Number($('preset').value)); refresh(); } });
$('live').addEventListener('change', () => { if ($('live').checked) refresh(); else clearTimeout(timer); });
$('export').addEventListener('click', exportCsv);
$('logout').addEventListener('click', signOut);
refresh();
