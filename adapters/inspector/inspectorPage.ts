/**
 * The inspector page: one self-contained HTML document (inline CSS and JS, plain DOM, no
 * framework, no font, no CDN), so it works offline and from a clean clone with no build
 * step. It opens `ws://<its own host>/ws?token=<its own token>` and draws each view the
 * server pushes (see operator/inspectorBridge.ts for the model): the session's phase, risk,
 * position and P&L, the actor tree, every machine drawn from its definition with the
 * active states highlighted, and the recent events.
 *
 * The page never names another host: the only address it uses is `location`'s own.
 * Data is written with textContent, never parsed as HTML.
 */

const CSS = `
:root { color-scheme: dark; --bg:#14171c; --panel:#1c2027; --line:#2d333d; --text:#d6dbe3; --dim:#8a93a3;
  --active:#2f7d4f; --activeLine:#53d18a; --killed:#a33; --limited:#a87a1f; }
* { box-sizing: border-box; }
body { margin:0; font:13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background:var(--bg); color:var(--text); }
header { display:flex; gap:16px; align-items:baseline; padding:8px 14px; border-bottom:1px solid var(--line); }
header h1 { font-size:15px; margin:0; }
#conn { padding:1px 8px; border-radius:9px; background:#555; }
#conn.open { background:var(--active); }
#conn.closed { background:var(--killed); }
main { display:grid; grid-template-columns: 300px 1fr 480px; gap:10px; padding:10px; }
section.panel { background:var(--panel); border:1px solid var(--line); border-radius:6px; padding:8px 10px; min-width:0; }
section.panel h2 { font-size:12px; text-transform:uppercase; letter-spacing:.06em; color:var(--dim); margin:0 0 6px; }
dl { display:grid; grid-template-columns:auto 1fr; gap:2px 10px; margin:0; }
dt { color:var(--dim); } dd { margin:0; }
.risk-killed { color:#ff7b7b; font-weight:bold; } .risk-limited { color:#f3c15b; } .risk-normal { color:var(--activeLine); }
ul.tree { list-style:none; padding-left:14px; margin:0; } ul.tree.root { padding-left:0; }
ul.tree li > span.status { color:var(--dim); margin-left:6px; }
ul.tree li.finished > span.name { color:var(--dim); text-decoration:line-through; }
#machines { display:flex; flex-wrap:wrap; gap:10px; align-content:flex-start; }
.machine { border:1px solid var(--line); border-radius:6px; padding:6px; min-width:180px; }
.machine.finished { opacity:.55; }
.machine > .title { font-weight:bold; margin-bottom:4px; }
.machine > .title span { color:var(--dim); font-weight:normal; margin-left:6px; }
.state { border:1px solid var(--line); border-radius:5px; padding:2px 6px; margin:3px 0; }
.state > .label { overflow-wrap:anywhere; }
.state > .label .ev { color:var(--dim); font-size:11px; margin-left:6px; }
.state.initial > .label::before { content:'\\2192 '; color:var(--dim); }
.state.final { border-style:double; border-width:3px; }
.state.active { border-color:var(--activeLine); background:rgba(47,125,79,.25); }
.state.active > .label { color:#fff; font-weight:bold; }
.children { display:flex; flex-direction:column; }
.parallel > .children { flex-direction:row; gap:6px; }
.parallel > .children > .state { border-style:dashed; flex:1; }
table { border-collapse:collapse; width:100%; font-size:12px; table-layout:fixed; }
th.t { width:96px; } th.e { width:52%; }
td, th { text-align:left; padding:1px 4px; border-bottom:1px solid var(--line); white-space:nowrap; }
td:not(:first-child) { white-space:normal; overflow-wrap:anywhere; }
.machine.finished .final-state { color:var(--dim); }
th { color:var(--dim); font-weight:normal; }
#events-wrap { max-height:78vh; overflow:auto; }
#mismatch { display:none; margin:10px 10px 0; padding:8px 12px; border:1px solid #ff7b7b; border-radius:6px; background:rgba(163,51,51,.35); color:#fff; font-weight:bold; }
#mismatch.shown { display:block; }
#equity { width:100%; height:120px; display:block; }
#equity polyline { fill:none; stroke:var(--activeLine); stroke-width:1.5; vector-effect:non-scaling-stroke; }
#equity line.start { stroke:var(--dim); stroke-dasharray:3 3; vector-effect:non-scaling-stroke; }
#trades-wrap { max-height:30vh; overflow:auto; }
td.win { color:var(--activeLine); } td.loss { color:#ff7b7b; }
`;

const SCRIPT = `
'use strict';
const MAX_EVENTS = 200;
const definitions = {};
let events = [];
const $ = (id) => document.getElementById(id);
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  if (attrs) for (const k of Object.keys(attrs)) {
    if (k === 'class') e.className = attrs[k]; else e.setAttribute(k, attrs[k]);
  }
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
const money = (n) => (typeof n === 'number' ? (n < 0 ? '-$' : '$') + Math.abs(n).toFixed(2) : '-');
const short = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

function drawSession(s) {
  const dl = $('session');
  dl.replaceChildren();
  if (!s) { dl.append(el('dt', null, 'session'), el('dd', null, 'starting')); return; }
  const risk = el('dd', { id: 'risk-state', class: 'risk-' + s.riskState }, s.riskState);
  const rows = [
    ['session', s.sessionId],
    ['phase', s.phase.id + ' ' + s.phase.name],
    ['risk', risk],
    ['reasons', s.riskReasons.length ? s.riskReasons.join(', ') : '-'],
    ['kill', s.killReason ? s.killReason + ' (by ' + (s.killedBy || '?') + ')' : '-'],
    ['position', s.position.qty + ' ' + s.position.symbol + (s.position.qty ? ' @ ' + s.position.avgPrice.toFixed(2) : '')],
    ['mark', s.position.lastMark ? s.position.lastMark.toFixed(2) : '-'],
    ['open P&L', money(s.position.openPnl)],
    ['realised P&L', money(s.pnl)],
    ['equity', money(s.equity)],
    ['bars', s.bars],
    ['signals', s.signals.long + ' long / ' + s.signals.short + ' short'],
    ['orders', s.orders + ' sent, ' + s.fills + ' fills, ' + s.trades + ' trades'],
    ['refusals', s.riskRefusals + ' risk, ' + s.rejects + ' rejects'],
    ['orchestrator', short(s.orchestratorState)],
    ['venue', s.venue],
    ['data', s.provenance],
    ['to', s.to || '-'],
  ];
  for (const [k, v] of rows) {
    dl.append(el('dt', null, k));
    dl.append(v instanceof Node ? v : el('dd', null, v));
  }
}

// A phase that disagrees with the venue or the data (phase 5 beside simulated data...).
function drawMismatch(s) {
  const box = $('mismatch');
  const text = s && s.mismatch;
  box.textContent = text ? '\u26a0 ' + text : '';
  box.className = text ? 'shown' : '';
}

// Equity over session time as an SVG polyline (viewBox in data units, no library).
function drawEquity(s) {
  const svg = $('equity');
  const points = (s && s.equityCurve) || [];
  $('equity-range').textContent = points.length ? money(points[points.length - 1].equity) + ' (' + points.length + ' points)' : '';
  svg.replaceChildren();
  if (points.length < 2) return;
  const ns = svg.namespaceURI; // the inline svg's own: the page names no URL
  const xs = points.map((p) => Date.parse(p.time));
  const ys = points.map((p) => p.equity);
  const x0 = xs[0], x1 = xs[xs.length - 1] === x0 ? x0 + 1 : xs[xs.length - 1];
  let y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (y1 === y0) { y0 -= 1; y1 += 1; }
  const W = 1000, H = 100;
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  svg.setAttribute('preserveAspectRatio', 'none');
  const px = (x) => ((x - x0) / (x1 - x0)) * W;
  const py = (y) => H - ((y - y0) / (y1 - y0)) * H;
  const start = document.createElementNS(ns, 'line');
  start.setAttribute('class', 'start');
  start.setAttribute('x1', '0'); start.setAttribute('x2', String(W));
  start.setAttribute('y1', String(py(ys[0]))); start.setAttribute('y2', String(py(ys[0])));
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', points.map((p, i) => px(xs[i]).toFixed(1) + ',' + py(ys[i]).toFixed(1)).join(' '));
  svg.append(start, line);
}

function drawTrades(s) {
  const body = $('trades');
  body.replaceChildren();
  const trades = (s && s.dayTrades) || [];
  $('trades-count').textContent = trades.length ? '(' + trades.length + ', P&L ' + money(trades.reduce((a, t) => a + t.pnl, 0)) + ')' : '(none yet)';
  for (let i = trades.length - 1; i >= 0; i--) {
    const t = trades[i];
    const tr = el('tr', { 'data-side': t.side });
    tr.append(
      el('td', null, t.exitTime.slice(11, 19)),
      el('td', null, t.side + ' ' + t.qty),
      el('td', null, t.entryPrice.toFixed(2) + ' \u2192 ' + t.exitPrice.toFixed(2)),
      el('td', { class: t.pnl >= 0 ? 'win' : 'loss' }, money(t.pnl)),
    );
    body.append(tr);
  }
}

function drawTree(actors) {
  const byParent = new Map();
  for (const a of actors) {
    const p = a.parentId || '';
    if (!byParent.has(p)) byParent.set(p, []);
    byParent.get(p).push(a);
  }
  const known = new Set(actors.map((a) => a.sessionId));
  const build = (list, root) => {
    const ul = el('ul', { class: root ? 'tree root' : 'tree' });
    for (const a of list) {
      const li = el('li', { 'data-actor': a.id, class: a.status === 'active' ? 'alive' : 'finished' });
      li.append(el('span', { class: 'name' }, a.id));
      li.append(el('span', { class: 'status' }, a.machine ? a.active.filter((p) => !a.active.some((q) => q.startsWith(p + '.'))).join(', ') : a.status));
      const kids = byParent.get(a.sessionId);
      if (kids) li.append(build(kids, false));
      ul.append(li);
    }
    return ul;
  };
  // Roots: no parent, or a parent no longer listed.
  const roots = actors.filter((a) => !a.parentId || !known.has(a.parentId));
  $('tree').replaceChildren(build(roots, true));
}

function drawNode(node, active, initialKey) {
  const cls = ['state', node.type];
  if (active.has(node.path)) cls.push('active');
  if (initialKey === node.key) cls.push('initial');
  const div = el('div', { class: cls.join(' '), 'data-path': node.path });
  const label = el('div', { class: 'label' }, node.key);
  if (node.events.length) label.append(el('span', { class: 'ev' }, node.events.join(' ')));
  div.append(label);
  if (node.states.length) {
    const kids = el('div', { class: 'children' });
    for (const c of node.states) kids.append(drawNode(c, active, node.type === 'compound' ? node.initial : null));
    div.append(kids);
  }
  return div;
}

function drawMachines(actors) {
  const box = $('machines');
  box.replaceChildren();
  const ordered = actors.filter((a) => a.machine).sort((a, b) => (a.status === 'active' ? 0 : 1) - (b.status === 'active' ? 0 : 1));
  for (const a of ordered) {
    const def = definitions[a.machine];
    if (!def) continue;
    // Two actors may share an id under different parents (execution > connection, marketData > connection).
    const parent = actors.find((p) => p.sessionId === a.parentId);
    const card = el('div', { class: 'machine ' + (def.type === 'parallel' ? 'parallel ' : '') + (a.status === 'active' ? 'alive' : 'finished'), 'data-actor': a.id, 'data-parent': parent ? parent.id : '' });
    const title = el('div', { class: 'title' }, parent && parent.parentId ? parent.id + ' > ' + a.id : a.id);
    title.append(el('span', null, a.status));
    card.append(title);
    // A finished actor (a filled order...) shows only where it ended.
    if (a.status !== 'active') {
      card.append(el('div', { class: 'final-state' }, a.active.filter((p) => !a.active.some((q) => q.startsWith(p + '.'))).join(', ')));
      box.append(card);
      continue;
    }
    const active = new Set(a.active);
    const kids = el('div', { class: 'children' });
    for (const c of def.states) kids.append(drawNode(c, active, def.type === 'compound' ? def.initial : null));
    card.append(kids);
    box.append(card);
  }
}

function drawEvents() {
  const body = $('events');
  body.replaceChildren();
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    const tr = el('tr', { 'data-type': e.type });
    // Time recorded; the event's own (session) time, when it has one, on hover.
    const type = el('td', e.time ? { title: 'event time ' + e.time } : null, e.type);
    tr.append(el('td', null, e.at.slice(11, 23)), type, el('td', { class: 'route' }, (e.source || 'outside') + ' \\u2192 ' + e.target));
    body.append(tr);
  }
}

function apply(view) {
  Object.assign(definitions, view.definitions);
  events = events.concat(view.events);
  if (events.length > MAX_EVENTS) events = events.slice(events.length - MAX_EVENTS);
  if (view.eventsDropped) $('dropped').textContent = '(+' + view.eventsDropped + ' not shown)';
  $('clock').textContent = view.time;
  drawSession(view.session);
  drawMismatch(view.session);
  drawEquity(view.session);
  drawTrades(view.session);
  drawTree(view.actors);
  drawMachines(view.actors);
  drawEvents();
}

function connect() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(scheme + '//' + location.host + '/ws' + location.search);
  const conn = $('conn');
  ws.onopen = () => { conn.textContent = 'live'; conn.className = 'open'; };
  ws.onclose = () => { conn.textContent = 'disconnected'; conn.className = 'closed'; };
  ws.onmessage = (m) => {
    try { apply(JSON.parse(m.data)); } catch (err) { console.error(err); }
  };
}
connect();
`;

/** The page's HTML; see the module comment. */
export function inspectorPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>MIA inspector</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>MIA inspector</h1><span id="conn">connecting</span><span id="clock"></span></header>
<div id="mismatch" role="alert"></div>
<main>
<div>
<section class="panel"><h2>Session</h2><dl id="session"></dl></section>
<section class="panel"><h2>Equity <span id="equity-range"></span></h2><svg id="equity"></svg></section>
<section class="panel"><h2>Today's trades <span id="trades-count"></span></h2><div id="trades-wrap"><table><thead><tr><th>exit</th><th>side</th><th>entry \u2192 exit</th><th>P&amp;L</th></tr></thead><tbody id="trades"></tbody></table></div></section>
<section class="panel"><h2>Actors</h2><div id="tree"></div></section>
</div>
<section class="panel"><h2>Machines</h2><div id="machines"></div></section>
<section class="panel"><h2>Recent events <span id="dropped"></span></h2><div id="events-wrap"><table><thead><tr><th class="t">time</th><th class="e">event</th><th>source \u2192 target</th></tr></thead><tbody id="events"></tbody></table></div></section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
