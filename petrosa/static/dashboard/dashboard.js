// Live dashboard: one websocket, server to client only, reconnecting with backoff.
// The server sends one snapshot per connection, then only changes; every row is
// keyed, so an update touches the cells of one row and never rebuilds a table.
"use strict";

const MAX_ROWS = 50;
const MAX_POINTS = 2000;
const FINAL_ORDER_STATUSES = new Set(["filled", "canceled", "rejected", "expired"]);
// Exposed for the browser tests and for anyone curious in the console.
const stats = (window.dashboardStats = { handled: 0, lastHandleMs: 0, maxHandleMs: 0, snapshots: 0 });

function money(value) {
  if (value === null || value === undefined || value === "") return "—";
  const n = Number(value);
  return Number.isFinite(n) ? n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : value;
}

function signClass(value) {
  const n = Number(value);
  return n > 0 ? "pos" : n < 0 ? "neg" : "";
}

function flash(tr) {
  tr.classList.remove("flash");
  void tr.offsetWidth; // restart the animation
  tr.classList.add("flash");
}

// A table whose rows are keyed: upsert updates the row's cells in place.
class KeyedTable {
  constructor(id, columns, { order = "append", limit = Infinity, sortKey = null } = {}) {
    this.body = document.querySelector(`#${id} tbody`);
    this.empty = this.body.querySelector("tr.empty");
    this.columns = columns;
    this.order = order;
    this.limit = limit;
    this.sortKey = sortKey;
    this.rows = new Map();
  }

  clear() {
    this.rows.clear();
    this.body.replaceChildren(this.empty);
  }

  render(tr, data) {
    this.columns.forEach((column, i) => {
      const td = tr.children[i];
      const text = String(column.text(data) ?? "—");
      if (td.textContent !== text) td.textContent = text;
      const cls = column.cls ? column.cls(data) : "";
      if (td.className !== cls) td.className = cls;
    });
  }

  upsert(key, data, { highlight = false, fragment = null } = {}) {
    let tr = this.rows.get(key);
    if (!tr) {
      tr = document.createElement("tr");
      tr.dataset.key = key;
      for (let i = 0; i < this.columns.length; i++) tr.append(document.createElement("td"));
      this.rows.set(key, tr);
      this.empty.remove();
      this.place(tr, key, fragment);
    }
    tr.data = { ...(tr.data || {}), ...data };
    this.render(tr, tr.data);
    if (highlight) flash(tr);
    this.trim();
    return tr;
  }

  place(tr, key, fragment) {
    if (fragment) return fragment.append(tr);
    if (this.sortKey) {
      const next = [...this.rows.entries()].find(([other, row]) => other !== key && row.isConnected && other > key);
      return next ? this.body.insertBefore(tr, next[1]) : this.body.append(tr);
    }
    return this.order === "prepend" ? this.body.prepend(tr) : this.body.append(tr);
  }

  remove(key) {
    const tr = this.rows.get(key);
    if (!tr) return;
    tr.remove();
    this.rows.delete(key);
    if (this.rows.size === 0) this.body.append(this.empty);
  }

  trim() {
    while (this.rows.size > this.limit) {
      const last = this.body.lastElementChild;
      if (!last || !last.dataset.key) return;
      this.rows.delete(last.dataset.key);
      last.remove();
    }
  }

  // Many rows at once (a snapshot): built off-document, attached once.
  fill(entries) {
    this.clear();
    const fragment = document.createDocumentFragment();
    for (const [key, data] of entries) this.upsert(key, data, { fragment });
    this.body.append(fragment);
    if (this.rows.size === 0) this.body.append(this.empty);
  }
}

const positionKey = (p) => `${p.symbol}:${p.side}`;
const positions = new KeyedTable("positions", [
  { text: (p) => p.symbol }, { text: (p) => p.side }, { text: (p) => p.quantity },
  { text: (p) => p.avg_entry_price }, { text: (p) => p.mark_price },
  { text: (p) => money(p.unrealized_pnl), cls: (p) => signClass(p.unrealized_pnl) },
  { text: (p) => money(p.realized_pnl), cls: (p) => signClass(p.realized_pnl) },
  { text: (p) => money(p.fees_paid) },
], { sortKey: true });
const orders = new KeyedTable("orders", [
  { text: (o) => `#${o.id}` }, { text: (o) => o.symbol }, { text: (o) => o.side }, { text: (o) => o.type },
  { text: (o) => o.quantity }, { text: (o) => o.executed_quantity }, { text: (o) => o.status },
], { order: "prepend", limit: 200 });
const fills = new KeyedTable("fills", [
  { text: (f) => new Date(f.created_at).toLocaleTimeString() }, { text: (f) => f.symbol }, { text: (f) => f.side },
  { text: (f) => f.quantity }, { text: (f) => f.price }, { text: (f) => `${f.commission} ${f.commission_asset}` },
  { text: (f) => money(f.realized_pnl), cls: (f) => signClass(f.realized_pnl) },
], { order: "prepend", limit: MAX_ROWS });
const signals = new KeyedTable("signals", [
  { text: (s) => `#${s.id}` }, { text: (s) => s.strategy }, { text: (s) => s.action }, { text: (s) => s.symbol },
  { text: (s) => s.confidence }, { text: (s) => s.status, cls: (s) => `status-${s.status}` },
  { text: (s) => s.decision || s.reason || "" },
], { order: "prepend", limit: MAX_ROWS });

// --- equity curve (uPlot, vendored in static/vendor/uplot) -------------------
const chartBox = document.getElementById("equity-chart");
const series = { xs: [], ys: [] };
let chart = null;

function chartWidth() {
  return Math.max(280, chartBox.clientWidth);
}

function drawChart() {
  if (typeof uPlot === "undefined") return;
  const data = [series.xs, series.ys];
  if (chart) return chart.setData(data);
  chart = new uPlot({
    width: chartWidth(), height: 220,
    scales: { x: { time: true } },
    series: [{}, { label: "Equity", stroke: "#2563eb", width: 2, fill: "rgba(37,99,235,.08)",
      value: (u, v) => (v == null ? "—" : money(v)) }],
    axes: [{}, { size: 90, values: (u, ticks) => ticks.map((v) => money(v)) }],
  }, data, chartBox);
  new ResizeObserver(() => chart.setSize({ width: chartWidth(), height: 220 })).observe(chartBox);
}

function addEquityPoint(seconds, equity) {
  const last = series.xs.length - 1;
  if (last >= 0 && seconds <= series.xs[last]) seconds = series.xs[last] + 0.001;
  series.xs.push(seconds);
  series.ys.push(Number(equity));
  if (series.xs.length > MAX_POINTS) { series.xs.shift(); series.ys.shift(); }
  drawChart();
}

// --- summary and risk -------------------------------------------------------------
function setEquity(e) {
  const set = (id, value, signed) => {
    const el = document.getElementById(id);
    el.textContent = money(value);
    el.className = signed ? signClass(value) : "";
  };
  set("equity", e.equity, false);
  set("unrealized", e.unrealized_pnl, true);
  set("realized", e.realized_pnl, true);
}

function countOpen() {
  let open = 0;
  for (const tr of positions.rows.values()) if (Number(tr.data.quantity) !== 0) open++;
  document.getElementById("open-count").textContent = open;
}

const risk = {};
function setRisk(s) {
  Object.assign(risk, s);
  const mode = document.getElementById("risk-mode");
  mode.textContent = risk.breaker_tripped ? `trading: ${risk.mode} (daily-loss breaker)` : `trading: ${risk.mode}`;
  mode.dataset.mode = risk.mode;
  mode.title = risk.reason || "";
  const breaker = document.getElementById("breaker");
  const tripped = Boolean(risk.breaker_tripped);
  breaker.textContent = tripped ? "breaker: TRIPPED" : "breaker: armed";
  breaker.dataset.tripped = String(tripped);
}

function upsertPosition(p, highlight) {
  if (Number(p.quantity) === 0 && Number(p.realized_pnl) === 0) positions.remove(positionKey(p));
  else positions.upsert(positionKey(p), p, { highlight });
  countOpen();
}

const handlers = {
  snapshot(s) {
    stats.snapshots++;
    positions.fill(s.positions.map((p) => [positionKey(p), p]));
    countOpen();
    orders.fill(s.open_orders.map((o) => [String(o.id), o]));
    fills.fill(s.fills.map((f) => [String(f.id), f]));
    signals.fill(s.signals.map((x) => [String(x.id), x]));
    setEquity(s.equity);
    setRisk(s.risk_state);
    series.xs = s.equity.series.map((point) => point[0]);
    series.ys = s.equity.series.map((point) => Number(point[1]));
    addEquityPoint(Date.now() / 1000, s.equity.equity);
  },
  live(changes) {
    for (const p of changes.positions || []) upsertPosition(p, false);
    if (changes.equity) {
      setEquity(changes.equity);
      addEquityPoint(Date.now() / 1000, changes.equity.equity);
    }
    if (changes.risk_state) setRisk(changes.risk_state);
  },
  position(p) { upsertPosition(p, true); },
  fill(f) { fills.upsert(String(f.id), f, { highlight: true }); },
  order(o) {
    if (FINAL_ORDER_STATUSES.has(o.status)) orders.remove(String(o.id));
    else orders.upsert(String(o.id), o, { highlight: true });
  },
  signal(s) { signals.upsert(String(s.id), s, { highlight: true }); },
  risk_state(s) { setRisk(s); },
};

// --- the socket ------------------------------------------------------------------------
const badge = document.getElementById("connection");
function setConnection(state, text) {
  badge.dataset.state = state;
  badge.textContent = text;
  badge.className = `badge ${state === "live" ? "online" : "offline"}`;
}

// A refused handshake (signed out, role removed) reaches the page only as
// code 1006, like a network drop; the page itself says which it was.
async function stillSignedIn() {
  try {
    const response = await fetch(location.pathname, { method: "HEAD", redirect: "manual", cache: "no-store" });
    return response.ok;
  } catch {
    return true; // the server is down: keep trying
  }
}

let delay = 500;
function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/dashboard/`);
  let opened = false;
  socket.onopen = () => {
    opened = true;
    delay = 500;
    setConnection("live", "live");
  };
  socket.onmessage = (message) => {
    const started = performance.now();
    const data = JSON.parse(message.data);
    handlers[data.event]?.(data.payload);
    stats.handled++;
    stats.lastHandleMs = performance.now() - started;
    stats.maxHandleMs = Math.max(stats.maxHandleMs, stats.lastHandleMs);
  };
  socket.onclose = async (event) => {
    if (event.code === 4403) return setConnection("forbidden", "no permission");
    if (!opened && !(await stillSignedIn())) {
      setConnection("signed-out", "signed out");
      location.assign(`/admin/login/?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    setConnection("reconnecting", "reconnecting…");
    // Jitter, so many dashboards don't all come back in the same instant.
    setTimeout(connect, delay + Math.random() * 250);
    delay = Math.min(delay * 2, 10000);
  };
}
connect();
