// Live dashboard: one websocket, server to client only, reconnecting with backoff.
"use strict";

const positions = new Map(); // "SYMBOL:SIDE" -> position
const MAX_ROWS = 50;

function signed(value) {
  const n = Number(value);
  return n > 0 ? "pos" : n < 0 ? "neg" : "";
}

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text ?? "—";
  if (cls) td.className = cls;
  return td;
}

function renderPositions(flashKey) {
  const body = document.querySelector("#positions tbody");
  body.replaceChildren();
  const rows = [...positions.values()].filter((p) => Number(p.quantity) !== 0 || Number(p.realized_pnl) !== 0);
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    tr.className = "empty";
    tr.append(cell("No positions yet."));
    tr.firstChild.colSpan = 8;
    body.append(tr);
    return;
  }
  rows.sort((a, b) => (a.symbol + a.side).localeCompare(b.symbol + b.side));
  for (const p of rows) {
    const tr = document.createElement("tr");
    tr.dataset.key = `${p.symbol}:${p.side}`;
    if (tr.dataset.key === flashKey) tr.className = "flash";
    tr.append(cell(p.symbol), cell(p.side), cell(p.quantity), cell(p.avg_entry_price), cell(p.mark_price),
      cell(p.unrealized_pnl, signed(p.unrealized_pnl)), cell(p.realized_pnl, signed(p.realized_pnl)), cell(p.fees_paid));
    body.append(tr);
  }
}

function addFill(f, flash) {
  const body = document.querySelector("#fills tbody");
  body.querySelector("tr.empty")?.remove();
  const tr = document.createElement("tr");
  tr.dataset.fillId = f.id;
  if (flash) tr.className = "flash";
  tr.append(cell(new Date(f.created_at).toLocaleTimeString()), cell(f.symbol), cell(f.side), cell(f.quantity),
    cell(f.price), cell(`${f.commission} ${f.commission_asset}`), cell(f.realized_pnl, signed(f.realized_pnl)));
  body.prepend(tr);
  while (body.children.length > MAX_ROWS) body.lastChild.remove();
}

function addSignal(s) {
  // One line per signal, updated in place as it moves through the pipeline.
  const list = document.getElementById("signals");
  let li = list.querySelector(`li[data-signal-id="${s.id}"]`);
  if (!li) {
    li = document.createElement("li");
    li.dataset.signalId = s.id;
    list.prepend(li);
  }
  li.textContent = `#${s.id} ${s.strategy} ${s.action} ${s.symbol} (confidence ${s.confidence}) → ${s.status}` +
    (s.reason ? ` [${s.reason}]` : "");
  while (list.children.length > MAX_ROWS) list.lastChild.remove();
}

function setMode(mode) {
  document.getElementById("risk-mode").textContent = `mode: ${mode}`;
}

const handlers = {
  snapshot(payload) {
    positions.clear();
    for (const p of payload.positions) positions.set(`${p.symbol}:${p.side}`, p);
    renderPositions();
    document.querySelector("#fills tbody").replaceChildren();
    for (const f of [...payload.fills].reverse()) addFill(f, false);
    setMode(payload.risk_state.mode);
  },
  position(p) {
    positions.set(`${p.symbol}:${p.side}`, p);
    renderPositions(`${p.symbol}:${p.side}`);
  },
  fill(f) { addFill(f, true); },
  signal(s) { addSignal(s); },
  risk_state(s) { setMode(s.mode); },
  order() {},
};

let delay = 500;
function connect() {
  const badge = document.getElementById("connection");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/dashboard/`);
  socket.onopen = () => {
    delay = 500;
    badge.textContent = "live";
    badge.className = "badge online";
    badge.dataset.state = "live";
  };
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data);
    handlers[data.event]?.(data.payload);
  };
  socket.onclose = () => {
    badge.textContent = "reconnecting…";
    badge.className = "badge offline";
    badge.dataset.state = "reconnecting";
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 10000);
  };
}
connect();
