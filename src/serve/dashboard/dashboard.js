// The dashboard page: live messages and charts from Contrail's WebSocket (docs/protocol.md).
// Plain ES module, no build step; uPlot (the global `uPlot`) draws the charts. Text from
// messages is only ever set with textContent: it is never parsed as HTML.
/* global uPlot */

const MAX_ROWS = 250;
const ANALYTICS_EVERY_MS = 15_000;
const REQUEST_TIMEOUT_MS = 20_000;
const CHART_HEIGHT = 200;
const COLORS = { ACARS: '#2563eb', 'VDL-M2': '#16a34a', HFDL: '#d97706', 'IMS-L': '#9333ea', IRDM: '#dc2626' };
const SPARE_COLORS = ['#0891b2', '#db2777', '#65a30d', '#7c3aed', '#ea580c', '#475569'];
/**
 * Alert buckets that suit each analytics range. None coarser than 1 h: alert hits count whole
 * buckets, so a range starts back at its first bucket's start, and the mirror holds only 1 h
 * before its window; a 6 h bucket on 7 days would mostly be answered by SQLite.
 */
const ALERT_RESOLUTION = { '1h': '5m', '24h': '1h', '7d': '1h' };

const $ = (id) => document.getElementById(id);
const colorOf = (key, i) => COLORS[key] ?? SPARE_COLORS[i % SPARE_COLORS.length];
const utc = (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');
/** `YYYY-MM-DD HH:MM` (UTC) of epoch seconds. */
const isoMinute = (ts) => new Date(ts * 1000).toISOString().slice(0, 16).replace('T', ' ');
/** Time axis labels in UTC, 24 h; the date under midnight. */
const timeValues = (u, splits) => splits.map((s) => (s % 86_400 === 0 ? `${isoMinute(s).slice(11)}\n${isoMinute(s).slice(0, 10)}` : isoMinute(s).slice(11)));
const timeSeries = { label: 'time (UTC)', value: (u, v) => (v == null ? '--' : isoMinute(v)) };

// ---- connection: one WebSocket, reconnected with backoff; requests matched to replies by id ----

let socket = null;
let attempt = 0;
let nextId = 1;
const pending = new Map();

function setStatus(state, text) {
  const el = $('status');
  el.dataset.state = state;
  el.textContent = text;
}

// With CONTRAIL_READ_TOKEN set, open the page as /#token=<token>: it is offered as a subprotocol
// (a browser cannot set headers on a WebSocket) and never leaves this page otherwise.
const readToken = new URLSearchParams(location.hash.slice(1)).get('token');

function connect() {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const ws = readToken ? new WebSocket(url, [`contrail.token.${readToken}`]) : new WebSocket(url);
  setStatus('connecting', attempt === 0 ? 'Connecting…' : `Reconnecting (attempt ${attempt + 1})…`);
  ws.onopen = () => {
    socket = ws;
    attempt = 0;
    setStatus('live', 'Live');
    request({ op: 'subscribe', topics: ['messages', 'stats', 'database'], history: MAX_ROWS })
      .then((r) => showHistory(r.history.messages))
      .catch((e) => setStatus('down', `Subscribe failed: ${e.message}`));
    refreshAnalytics();
  };
  ws.onmessage = (e) => onFrame(JSON.parse(e.data));
  ws.onclose = () => {
    socket = null;
    for (const p of pending.values()) p.reject(Object.assign(new Error('connection lost'), { code: 'DISCONNECTED' }));
    pending.clear();
    const delay = Math.min(30_000, 500 * 2 ** attempt) * (0.75 + Math.random() / 2);
    attempt++;
    setStatus('down', `Disconnected; retrying in ${Math.ceil(delay / 1000)} s`);
    setTimeout(connect, delay);
  };
}

function request(body) {
  return new Promise((resolve, reject) => {
    if (!socket) return reject(Object.assign(new Error('not connected'), { code: 'DISCONNECTED' }));
    const id = nextId++;
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(Object.assign(new Error('no reply in time'), { code: 'TIMEOUT' }));
    }, REQUEST_TIMEOUT_MS);
    const done = (f) => (v) => {
      clearTimeout(timer);
      f(v);
    };
    pending.set(id, { resolve: done(resolve), reject: done(reject) });
    socket.send(JSON.stringify({ ...body, id }));
  });
}

function onFrame(f) {
  if (f.topic === 'messages') return queueMessage(f.data);
  if (f.topic === 'stats') return f.data.rates?.result && drawRates(f.data.rates.result);
  if (f.topic === 'system') return; // hello, missed
  if (f.topic === 'database') {
    if (f.data.event === 'mirror-catch-up' && !f.data.done) $('analytics-note').textContent = `Analytics catching up: ${f.data.percent}%`;
    return;
  }
  const p = pending.get(f.id);
  if (!p) return;
  pending.delete(f.id);
  if (f.ok) p.resolve(f.result);
  else p.reject(Object.assign(new Error(f.error.message), { code: f.error.code }));
}

// ---- the live list: rows built at most once per animation frame, newest first ----

const tbody = document.querySelector('#messages tbody');
let queued = [];
let flushScheduled = false;
let received = 0;

function queueMessage(m) {
  queued.push(m);
  received++;
  // Hidden tabs get no animation frames: keep only what could still be shown.
  if (queued.length > 2 * MAX_ROWS) queued = queued.slice(-MAX_ROWS);
  if (!flushScheduled) {
    flushScheduled = true;
    requestAnimationFrame(flushRows);
  }
  // The first messages into empty charts: show them soon rather than at the next round (once,
  // so that a replay of old captures, outside every range, does not keep asking).
  if (chartsEmpty && !askedEarly) {
    askedEarly = true;
    scheduleAnalytics(3000);
  }
}

function flushRows() {
  flushScheduled = false;
  const batch = queued.slice(-MAX_ROWS);
  queued = [];
  const frag = document.createDocumentFragment();
  for (let i = batch.length - 1; i >= 0; i--) frag.append(messageRow(batch[i]));
  tbody.prepend(frag);
  while (tbody.rows.length > MAX_ROWS) tbody.lastElementChild.remove();
  $('messages-empty').hidden = true;
  $('count').textContent = `(${received.toLocaleString('en')} since this page opened)`;
}

/**
 * The stored messages the subscribe's history brought (newest first), merged by id among the rows
 * already shown: the page opens on the recent traffic, and a reconnect fills what it missed.
 */
function showHistory(messages) {
  const rows = [...tbody.rows];
  const ids = new Set(rows.map((r) => Number(r.dataset.id)));
  for (const m of queued) ids.add(m.id);
  let k = 0;
  for (const m of messages) {
    if (ids.has(m.id)) continue;
    while (k < rows.length && Number(rows[k].dataset.id) > m.id) k++;
    tbody.insertBefore(messageRow(m), rows[k] ?? null);
  }
  while (tbody.rows.length > MAX_ROWS) tbody.lastElementChild.remove();
  if (tbody.rows.length > 0) $('messages-empty').hidden = true;
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text != null) e.textContent = String(text);
  return e;
}

function messageRow(m) {
  const tr = el('tr');
  tr.dataset.id = m.id;
  if (m.alerts?.length) tr.className = 'alert';
  const decoder = tr.insertCell();
  const badge = el('span', 'badge', m.type);
  badge.style.setProperty('--c', colorOf(m.type, 0));
  if (m.decoder) badge.title = m.decoder;
  decoder.append(badge);
  const time = tr.insertCell();
  time.className = 'num';
  time.textContent = new Date(m.time * 1000).toISOString().slice(11, 19);
  time.title = new Date(m.time * 1000).toISOString();
  tr.insertCell().textContent = m.flight ?? '';
  tr.insertCell().textContent = m.tail ?? '';
  const label = tr.insertCell();
  label.textContent = m.label ?? '';
  if (m.enrichment?.labelName) label.title = m.enrichment.labelName;
  const text = tr.insertCell();
  if (m.text) text.append(el('div', 'text', m.text));
  else if (m.frameKind) text.append(el('span', 'muted', m.frameKind));
  tr.insertCell().append(...decodedParts(m));
  return tr;
}

/** A compact view of what Contrail decoded: label decoder items, airline, position, alert terms. */
function decodedParts(m) {
  const parts = [];
  const kv = (k, v, cls = 'kv') => {
    const s = el('span', cls);
    s.append(el('b', '', k), ` ${v}`);
    parts.push(s);
  };
  for (const a of m.alerts ?? []) kv('alert', `${a.term} (${a.field})`, 'kv hit');
  const ld = m.labelDecoded;
  if (ld?.description) parts.push(el('span', 'kv desc', ld.description));
  for (const item of (ld?.items ?? []).slice(0, 8)) kv(item.label, item.value);
  if (m.decodeLevel && m.decodeLevel !== 'none') parts.push(el('span', 'kv level', `${m.decodeLevel} decode`));
  if (m.enrichment?.airline?.name) kv('airline', m.enrichment.airline.name);
  if (m.lat != null && m.lon != null) kv('pos', `${m.lat.toFixed(3)}, ${m.lon.toFixed(3)}${m.alt != null ? ` ${m.alt} ft` : ''}`);
  return parts;
}

// ---- charts: one uPlot per figure, rebuilt when its series change, else given new data ----

class Chart {
  constructor(id) {
    this.figure = $(id);
    this.box = this.figure.querySelector('.plot');
    this.plot = null;
    this.key = null;
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(this.box);
  }

  size() {
    return { width: Math.max(240, this.box.clientWidth), height: CHART_HEIGHT };
  }

  /** `key` names the shape (series, categories): a new key builds a new plot. */
  show(key, options, data, empty) {
    this.figure.classList.toggle('is-empty', empty);
    if (key !== this.key) {
      this.plot?.destroy();
      this.plot = new uPlot({ ...this.size(), tzDate: utc, ...options }, data, this.box);
      this.key = key;
    } else {
      this.plot.setData(data);
    }
  }
}

/** A count axis from zero (and at least to 1, so an empty chart still has a scale). */
const zeroBased = (u, min, max) => [0, Math.max(1, max)];
const axis = (extra = {}) => ({ stroke: '#475569', grid: { stroke: '#e2e8f0', width: 1 }, ticks: { stroke: '#cbd5e1', width: 1 }, ...extra });
const charts = { rates: new Chart('chart-rates'), signal: new Chart('chart-signal'), freqs: new Chart('chart-freqs'), alerts: new Chart('chart-alerts') };
let chartsEmpty = true;
let askedEarly = false;

function drawRates(r) {
  const series = r.series.map((s, i) => ({ label: s.type, stroke: colorOf(s.type, i), width: 2, fill: `${colorOf(s.type, i)}14`, points: { show: false } }));
  const total = r.series.reduce((n, s) => n + s.messages.reduce((a, b) => a + b, 0), 0);
  charts.rates.show(
    r.series.map((s) => s.type).join('|'),
    { series: [timeSeries, ...series], axes: [axis({ values: timeValues }), axis({ label: 'msgs/min', size: 50 })], scales: { y: { range: zeroBased } } },
    [r.buckets, ...r.series.map((s) => s.messages)],
    total === 0,
  );
}

function drawSignal(r) {
  const ds = r.decoders.filter((d) => d.histogram.length > 0);
  const lo = Math.min(...ds.map((d) => d.histogram[0][0]));
  const hi = Math.max(...ds.map((d) => d.histogram.at(-1)[0]));
  const xs = ds.length ? Array.from({ length: hi - lo + 2 }, (_, i) => lo + i) : [];
  const ys = ds.map((d) => {
    const y = xs.map(() => 0);
    for (const [db, n] of d.histogram) y[db - lo] = (100 * n) / d.count;
    return y;
  });
  const series = ds.map((d, i) => ({
    label: `${d.type} (median ${d.p50.toFixed(1)} dB)`,
    stroke: colorOf(d.type, i),
    fill: `${colorOf(d.type, i)}33`,
    width: 1.5,
    paths: uPlot.paths.stepped({ align: 1 }),
    points: { show: false },
    value: (u, v) => (v == null ? '' : `${v.toFixed(1)}%`),
  }));
  charts.signal.show(
    series.map((s) => s.label).join('|'),
    { series: [{ label: 'dB' }, ...series], scales: { x: { time: false } }, axes: [axis({ label: 'dB' }), axis({ label: '% of messages', size: 50 })] },
    [xs, ...ys],
    ds.length === 0,
  );
  return ds.length > 0;
}

function drawFreqs(r) {
  // The busiest 16 frequencies of each decoder, each decoder's in frequency order.
  const bars = r.decoders.flatMap((d) =>
    [...d.freqs]
      .sort((a, b) => b.messages - a.messages)
      .slice(0, 16)
      .sort((a, b) => a.freq - b.freq)
      .map((f) => ({ type: d.type, ...f })),
  );
  const types = [...new Set(bars.map((b) => b.type))];
  const labels = bars.map((b) => String(+b.freq.toFixed(4)));
  const n = bars.length;
  const series = types.map((t, i) => ({ label: t, stroke: colorOf(t, i), fill: colorOf(t, i), paths: uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false } }));
  charts.freqs.show(
    `${types.join('|')}/${labels.join('|')}`,
    {
      series: [{ label: 'MHz', value: (u, i) => (i == null ? '' : labels[i]) }, ...series],
      scales: { x: { time: false, range: () => [-0.5, Math.max(n, 1) - 0.5] }, y: { range: zeroBased } },
      axes: [
        axis({ splits: () => bars.map((_, i) => i).filter((i) => i % Math.ceil(n / 24) === 0), values: (u, splits) => splits.map((i) => labels[i] ?? ''), rotate: -45, size: 64, grid: { show: false } }),
        axis({ label: 'messages', size: 50 }),
      ],
    },
    [bars.map((_, i) => i), ...types.map((t) => bars.map((b) => (b.type === t ? b.messages : null)))],
    n === 0,
  );
  return n > 0;
}

function drawAlerts(r) {
  const series = r.terms.map((t, i) => ({ label: t.term, stroke: SPARE_COLORS[i % SPARE_COLORS.length], width: 2, paths: uPlot.paths.stepped({ align: 1 }), points: { show: true, size: 5 } }));
  const hits = r.terms.reduce((n, t) => n + t.hits.reduce((a, b) => a + b, 0), 0);
  charts.alerts.show(
    `${r.step}/${r.terms.map((t) => t.term).join('|')}`,
    { series: [timeSeries, ...series], axes: [axis({ values: timeValues }), axis({ label: 'hits', size: 50 })], scales: { y: { range: zeroBased } } },
    [r.buckets, ...r.terms.map((t) => t.hits)],
    hits === 0,
  );
  return hits > 0;
}

// ---- analytics: on connect, every 15 s, soon after data first arrives; retried while not ready ----

let analyticsTimer = null;
let analyticsDue = Infinity;
let unavailableRetries = 0;

function scheduleAnalytics(ms) {
  if (Date.now() + ms >= analyticsDue) return;
  clearTimeout(analyticsTimer);
  analyticsDue = Date.now() + ms;
  analyticsTimer = setTimeout(refreshAnalytics, ms);
}

async function refreshAnalytics() {
  clearTimeout(analyticsTimer);
  analyticsDue = Infinity;
  if (!socket) return; // connecting again refreshes
  const from = $('range').value;
  const ask = (query, extra = {}) => request({ op: 'analytics', query, from, ...extra }).then((reply) => reply.result);
  try {
    const [rates, signal, freqs, alerts] = await Promise.all([
      ask('rates', { from: '1h', resolution: '1m' }),
      ask('signal'),
      ask('frequencies'),
      ask('alerts', { resolution: ALERT_RESOLUTION[from] }),
    ]);
    drawRates(rates);
    const shown = [drawSignal(signal), drawFreqs(freqs), drawAlerts(alerts)];
    chartsEmpty = !shown[0] || !shown[1];
    unavailableRetries = 0;
    $('analytics-note').textContent = '';
    scheduleAnalytics(ANALYTICS_EVERY_MS);
  } catch (e) {
    if (e.code === 'DISCONNECTED') return;
    if (e.code === 'UNAVAILABLE') {
      $('analytics-note').textContent = 'Analytics not ready yet; retrying…';
      scheduleAnalytics(Math.min(10_000, 1000 * 2 ** unavailableRetries++));
    } else {
      $('analytics-note').textContent = `Analytics failed: ${e.message}`;
      scheduleAnalytics(ANALYTICS_EVERY_MS);
    }
  }
}

$('range').addEventListener('change', () => refreshAnalytics());
connect();
