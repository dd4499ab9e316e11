// acdsim live wallboard: renders the snapshots of /api/stream (server-sent
// events, one JSON snapshot per `data:` line) and sends the flow manager's
// commands to /api/commands. Plain DOM, no dependencies, no build step.
// Names from the scenario are only ever set as text or attribute values,
// never parsed as HTML.
"use strict";

(function () {
  const wb = {
    snapshot: null, // the latest snapshot received
    rendered: 0, // snapshots rendered so far
    errors: [], // uncaught errors of this page (a test reads them)
    startClockS: null, // clock time (s of day) of time_s = 0, when the snapshot has a clock
  };
  window.wallboard = wb;
  window.addEventListener("error", (e) => wb.errors.push(String(e.message || e)));
  window.addEventListener("unhandledrejection", (e) => wb.errors.push(String(e.reason)));

  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";

  // ---------- small DOM helpers ----------

  // el("td", { class: "x", "data-field": "waiting", text: "3" }, child...)
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "text") node.textContent = String(v);
      else if (k === "class") node.className = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) if (c != null) node.append(c);
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text != null) node.textContent = String(text);
    return node;
  }

  // Sets a number cell: its text, its raw value (data-value) and its class.
  function setCell(node, value, text, cls) {
    if (!node) return;
    const t = text == null ? "—" : String(text);
    if (node.textContent !== t) node.textContent = t;
    const raw = value == null ? "" : String(value);
    if (node.getAttribute("data-value") !== raw) node.setAttribute("data-value", raw);
    if (cls !== undefined) {
      const c = node.dataset.baseClass ? node.dataset.baseClass + (cls ? " " + cls : "") : cls || "";
      if (node.className !== c) node.className = c;
    }
  }

  function setText(node, text) {
    if (node && node.textContent !== text) node.textContent = text;
  }

  function setHidden(node, hidden) {
    if (node && node.hidden !== hidden) node.hidden = hidden;
  }

  const isNum = (x) => typeof x === "number" && Number.isFinite(x);
  const fmtInt = (n) => (isNum(n) ? String(Math.round(n)) : "—");
  const fmtCount = (n) => (isNum(n) ? Math.round(n).toLocaleString("en-US") : "—");
  const fmtPct = (x, digits) => (isNum(x) ? (x * 100).toFixed(digits) + "%" : "—");

  function fmtDur(s) {
    if (!isNum(s)) return "—";
    if (s < 60) return Math.round(s) + " s";
    const t = Math.round(s);
    const h = Math.floor(t / 3600);
    const m = Math.floor((t % 3600) / 60);
    const sec = String(t % 60).padStart(2, "0");
    return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  }

  const fmtAsa = (s) => (!isNum(s) ? "—" : s < 60 ? s.toFixed(1) + " s" : fmtDur(s));

  function parseClock(text) {
    const m = /^(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?$/.exec(String(text || "").trim());
    if (!m) return null;
    return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] || 0);
  }

  // The clock text of a simulated time (s), or "t = …" without a clock.
  function clockAt(t, withSeconds) {
    if (!isNum(t)) return "—";
    if (wb.startClockS == null) return "t = " + fmtDur(t);
    let s = Math.round(wb.startClockS + t) % 86400;
    if (s < 0) s += 86400;
    const hh = String(Math.floor(s / 3600)).padStart(2, "0");
    const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
    const ss = String(s % 60).padStart(2, "0");
    return withSeconds ? `${hh}:${mm}:${ss}` : `${hh}:${mm}`;
  }

  // Service level against its target: green at or above, amber within 10
  // points below, red further below.
  function slClass(sl, target) {
    if (!isNum(sl)) return "muted";
    const t = isNum(target) ? target : 0.8;
    if (sl >= t - 1e-9) return "ok";
    if (sl >= t - 0.1) return "warn";
    return "bad";
  }

  // A waiting queue against its service-level threshold: amber once the
  // longest wait passes the threshold, red at three times it.
  function waitClass(longest, threshold) {
    if (!isNum(longest) || !isNum(threshold) || threshold <= 0) return "";
    if (longest > 3 * threshold) return "bad";
    if (longest > threshold) return "warn";
    return "";
  }

  // ---------- toasts ----------

  function toast(message, kind) {
    const box = $("toasts");
    while (box.children.length >= 5) box.firstChild.remove();
    const node = el("div", { class: "toast " + (kind || ""), role: kind === "error" ? "alert" : "status", text: message });
    box.append(node);
    setTimeout(() => node.remove(), kind === "error" ? 9000 : 4000);
  }

  // ---------- commands ----------

  async function send(command, label) {
    let response;
    try {
      response = await fetch("/api/commands", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(command),
      });
    } catch (e) {
      toast(`${label}: the simulator cannot be reached (${e && e.message ? e.message : e})`, "error");
      return null;
    }
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    if (!response.ok) {
      const msg = body && typeof body.error === "string" ? body.error : `HTTP ${response.status}`;
      toast(`${label}: ${msg}`, "error");
      return null;
    }
    const at = body && isNum(body.at_s) ? ` at ${clockAt(body.at_s, true)}` : "";
    toast(`${label}: done${at}`, "success");
    refresh(); // show the effect at once, also while paused
    return body || {};
  }

  function findGroup(name) {
    const s = wb.snapshot;
    return s && Array.isArray(s.agent_groups) ? s.agent_groups.find((g) => g.name === name) : undefined;
  }

  // Relative to what the simulator has now (add_agents): clicks never
  // act on a snapshot that is a frame old.
  async function changeAgents(group, delta) {
    const sign = delta > 0 ? "+" : "−";
    const body = await send({ command: "add_agents", group, agents: delta }, `${group}: ${sign}${Math.abs(delta)}`);
    if (body && isNum(body.agents)) toast(`${group}: ${fmtInt(body.agents)} agents`, "success");
  }

  document.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-action]");
    if (!b || b.disabled) return;
    const d = b.dataset;
    switch (d.action) {
      case "minus1": changeAgents(d.group, -1); break;
      case "plus1": changeAgents(d.group, 1); break;
      case "add5": changeAgents(d.group, 5); break;
      case "pause": send({ command: "pause" }, "pause"); break;
      case "resume": send({ command: "resume" }, "resume"); break;
      case "speed": {
        const speed = d.speed === "max" ? "max" : Number(d.speed);
        send({ command: "set_speed", speed }, `speed ${d.speed === "max" ? "max" : d.speed + "×"}`);
        break;
      }
      case "overflow-open":
      case "overflow-close": {
        const open = d.action === "overflow-open";
        send({ command: "set_overflow", queue: d.queue, stage: Number(d.stage), open },
          `${d.queue}: ${open ? "open" : "close"} overflow stage ${Number(d.stage) + 1}`);
        break;
      }
      case "start_campaign":
      case "stop_campaign":
        send({ command: d.action, campaign: d.campaign },
          `${d.campaign}: ${d.action === "start_campaign" ? "start" : "stop"} campaign`);
        break;
      default:
        break;
    }
  });

  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    ev.preventDefault();
    if (form.id === "move-agents") {
      const from = form.elements.from.value;
      const to = form.elements.to.value;
      const agents = Number(form.elements.agents.value);
      if (!from || !to) return toast("choose the groups to move agents between", "error");
      if (from === to) return toast("move agents: choose two different groups", "error");
      if (!Number.isInteger(agents) || agents < 1) return toast("move agents: a whole number of agents, at least 1", "error");
      send({ command: "move_agents", from, to, agents }, `move ${agents} agent${agents === 1 ? "" : "s"} from ${from} to ${to}`);
    } else if (form.dataset.action === "arrival-factor") {
      const queue = form.dataset.queue;
      const input = form.elements.factor;
      const factor = Number(input.value);
      if (input.value.trim() === "" || !Number.isFinite(factor) || factor < 0) {
        return toast("volume factor: a number ≥ 0 (1 = as forecast)", "error");
      }
      input.dataset.dirty = "";
      send({ command: "scale_arrivals", queue, factor },
        `${queue === "*" ? "all queues" : queue}: volume × ${factor}`).then((ok) => {
        if (ok && queue === "*") input.value = "";
      });
    }
  });

  document.addEventListener("input", (ev) => {
    if (ev.target.name === "factor") ev.target.dataset.dirty = "1";
  });

  // ---------- keyed table rows ----------

  // Keeps one row per name in `tbody`, in the snapshot's order; rows are
  // reused (an input being edited keeps its focus and its text).
  function syncRows(tbody, cache, names, build) {
    const seen = new Set();
    const rows = names.map((name) => {
      seen.add(name);
      let row = cache.get(name);
      if (!row) {
        row = build(name);
        cache.set(name, row);
      }
      return row;
    });
    for (const name of [...cache.keys()]) if (!seen.has(name)) cache.delete(name);
    const current = [...tbody.children];
    if (current.length !== rows.length || current.some((tr, i) => tr !== rows[i].tr)) {
      tbody.replaceChildren(...rows.map((r) => r.tr));
    }
    return rows;
  }

  function numCell(attrs, field, extraClass) {
    const td = el("td", Object.assign({ "data-field": field, class: extraClass || null }, attrs));
    if (extraClass) td.dataset.baseClass = extraClass;
    return td;
  }

  // ---------- queues ----------

  const queueRows = new Map();

  function buildQueueRow(name) {
    const a = { "data-queue": name };
    const cells = {
      waiting: numCell(a, "waiting", "waiting"),
      longest_wait_s: numCell(a, "longest_wait_s"),
      service_level: numCell(a, "service_level"),
      service_level_15m: numCell(a, "service_level_15m"),
      abandon_rate: el("span", Object.assign({ "data-field": "abandon_rate" }, a)),
      abandoned: el("span", Object.assign({ "data-field": "abandoned", class: "sub" }, a)),
      answered: el("span", Object.assign({ "data-field": "answered" }, a)),
      offered: el("span", Object.assign({ "data-field": "offered", class: "sub" }, a)),
      asa_s: numCell(a, "asa_s"),
    };
    cells.name = el("td", { class: "name", "data-queue": name, text: name });
    const tr = el("tr", { "data-queue": name },
      cells.name, cells.waiting, cells.longest_wait_s, cells.service_level, cells.service_level_15m,
      el("td", { class: "abandon" }, cells.abandon_rate, cells.abandoned),
      el("td", { class: "answered" }, cells.answered, cells.offered),
      cells.asa_s);
    return { tr, cells };
  }

  function renderQueues(queues) {
    const rows = syncRows($("queue-rows"), queueRows, queues.map((q) => q.name), buildQueueRow);
    queues.forEach((q, i) => {
      const c = rows[i].cells;
      const wcls = waitClass(q.longest_wait_s, q.threshold_s);
      setCell(c.waiting, q.waiting, fmtInt(q.waiting), wcls);
      setCell(c.longest_wait_s, q.longest_wait_s, fmtDur(q.longest_wait_s), wcls);
      const goal = isNum(q.target) ? `target ${fmtPct(q.target, 0)} within ${fmtDur(q.threshold_s)}` : "";
      setCell(c.service_level, q.service_level, fmtPct(q.service_level, 0), slClass(q.service_level, q.target));
      setCell(c.service_level_15m, q.service_level_15m, fmtPct(q.service_level_15m, 0), slClass(q.service_level_15m, q.target));
      c.service_level.title = goal;
      c.service_level_15m.title = goal;
      setCell(c.abandon_rate, q.abandon_rate, fmtPct(q.abandon_rate, 1));
      setCell(c.abandoned, q.abandoned, isNum(q.abandoned) ? ` (${fmtCount(q.abandoned)})` : "");
      setCell(c.answered, q.answered, fmtCount(q.answered));
      setCell(c.offered, q.offered, isNum(q.offered) ? ` of ${fmtCount(q.offered)}` : "");
      setCell(c.asa_s, q.asa_s, fmtAsa(q.asa_s));
      const alert = typeof q.alert === "string" && q.alert !== "";
      rows[i].tr.classList.toggle("alert", alert);
      c.name.title = alert ? q.alert : "";
    });
  }

  // ---------- agent groups and supervisors ----------

  const groupRows = new Map();
  const supervisorRows = new Map();
  const AGENT_FIELDS = ["idle", "talking", "wrap_up", "on_break", "blocked", "outbound"];
  const SUPERVISOR_FIELDS = ["idle", "busy", "on_break"];

  function buildGroupRow(fields) {
    return (name) => {
      const a = { "data-group": name };
      const cells = {};
      const bar = el("div", { class: "statebar", "aria-hidden": "true" });
      const segs = {};
      for (const k of ["idle", "talking", "wrap_up", "other", "blocked", "on_break"]) {
        segs[k] = el("span", { class: k });
        bar.append(segs[k]);
      }
      const nameCell = el("td", { class: "name", "data-group": name }, el("div", { text: name }), bar);
      cells.agents = el("span", Object.assign({ "data-field": "agents" }, a));
      cells.scheduled = el("span", Object.assign({ "data-field": "scheduled", class: "sub" }, a));
      const agentsCell = el("td", { class: "agents" }, cells.agents, cells.scheduled);
      const tds = [nameCell, agentsCell];
      for (const f of fields) {
        cells[f] = numCell(a, f, f);
        tds.push(cells[f]);
      }
      const actions = el("td", { class: "actions" },
        el("button", { type: "button", "data-action": "minus1", "data-group": name, "aria-label": `remove 1 agent from ${name}`, text: "−1" }),
        el("button", { type: "button", "data-action": "plus1", "data-group": name, "aria-label": `add 1 agent to ${name}`, text: "+1" }),
        el("button", { type: "button", "data-action": "add5", "data-group": name, text: "add 5 agents" }));
      tds.push(actions);
      return { tr: el("tr", { "data-group": name }, ...tds), cells, segs };
    };
  }

  function renderGroupRows(tbody, cache, groups, fields) {
    const rows = syncRows(tbody, cache, groups.map((g) => g.name), buildGroupRow(fields));
    groups.forEach((g, i) => {
      const { cells, segs, tr } = rows[i];
      tr.setAttribute("data-role", g.role === "supervisor" ? "supervisor" : "agent");
      setCell(cells.agents, g.agents, fmtInt(g.agents));
      // scheduled: "23 of 25" short of the schedule, "8 +5" above it
      let sched = "";
      if (isNum(g.scheduled) && isNum(g.agents) && g.scheduled !== g.agents) {
        sched = g.agents < g.scheduled ? ` of ${fmtInt(g.scheduled)}` : ` +${fmtInt(g.agents - g.scheduled)}`;
      }
      setCell(cells.scheduled, g.scheduled, sched);
      cells.scheduled.title = isNum(g.scheduled) ? `${fmtInt(g.scheduled)} scheduled` : "";
      for (const f of fields) setCell(cells[f], g[f], fmtInt(g[f]), g[f] === 0 ? "zero" : "");
      // state bar: shares of the agents logged in
      const total = isNum(g.agents) && g.agents > 0 ? g.agents : 0;
      const n = (x) => (isNum(x) && x > 0 ? x : 0);
      const other = Math.max(0, n(g.busy) - n(g.talking) - n(g.wrap_up) - n(g.blocked));
      const shares = { idle: n(g.idle), talking: n(g.talking), wrap_up: n(g.wrap_up), other, blocked: n(g.blocked), on_break: n(g.on_break) };
      for (const [k, v] of Object.entries(shares)) {
        const w = total > 0 ? (100 * v) / total : 0;
        const width = `${Math.min(100, w).toFixed(2)}%`;
        if (segs[k].style.width !== width) segs[k].style.width = width;
      }
    });
  }

  let moveOptionsKey = null;

  function renderMoveForm(groups) {
    const key = JSON.stringify(groups.map((g) => [g.name, g.role]));
    if (key === moveOptionsKey) return;
    moveOptionsKey = key;
    const form = $("move-agents");
    for (const [field, fallback] of [["from", 0], ["to", 1]]) {
      const select = form.elements[field];
      const previous = select.value;
      const agentsGroup = el("optgroup", { label: "agents" });
      const supGroup = el("optgroup", { label: "supervisors" });
      for (const g of groups) {
        (g.role === "supervisor" ? supGroup : agentsGroup).append(el("option", { value: g.name, text: g.name }));
      }
      const parts = [agentsGroup];
      if (supGroup.children.length) parts.push(supGroup);
      select.replaceChildren(...parts);
      const names = groups.filter((g) => g.role !== "supervisor").map((g) => g.name);
      if (groups.some((g) => g.name === previous)) select.value = previous;
      else if (names.length) select.value = names[Math.min(fallback, names.length - 1)];
    }
  }

  // ---------- campaigns ----------

  const campaignRows = new Map();

  function buildCampaignRow(name) {
    const a = { "data-campaign": name };
    const cells = {
      name: el("td", { class: "name", "data-campaign": name, text: name }),
      open: el("span", Object.assign({ "data-field": "open", class: "pill" }, a)),
      dials: numCell(a, "dials"),
      ringing: numCell(a, "ringing"),
      connects: el("span", Object.assign({ "data-field": "connects" }, a)),
      live_answers: el("span", Object.assign({ "data-field": "live_answers", class: "sub" }, a)),
      abandon_rate: el("span", Object.assign({ "data-field": "abandon_rate" }, a)),
      abandon_cap: el("span", Object.assign({ "data-field": "abandon_cap", class: "sub" }, a)),
      button: el("button", { type: "button", "data-campaign": name }),
    };
    const tr = el("tr", a,
      cells.name, el("td", {}, cells.open), cells.dials, cells.ringing,
      el("td", {}, cells.connects, cells.live_answers),
      el("td", {}, cells.abandon_rate, cells.abandon_cap),
      el("td", { class: "actions" }, cells.button));
    return { tr, cells };
  }

  function renderCampaigns(campaigns) {
    setHidden($("campaigns-section"), campaigns.length === 0);
    const rows = syncRows($("campaign-rows"), campaignRows, campaigns.map((c) => c.name), buildCampaignRow);
    campaigns.forEach((c, i) => {
      const x = rows[i].cells;
      const open = c.open === true;
      setCell(x.open, c.open, open ? "open" : "closed", open ? "pill open" : "pill closed");
      setCell(x.dials, c.dials, fmtCount(c.dials));
      setCell(x.ringing, c.ringing, fmtInt(c.ringing));
      setCell(x.connects, c.connects, fmtCount(c.connects));
      setCell(x.live_answers, c.live_answers, isNum(c.live_answers) ? ` of ${fmtCount(c.live_answers)}` : "");
      let cls = "";
      if (isNum(c.abandon_rate) && isNum(c.abandon_cap)) {
        cls = c.abandon_rate > c.abandon_cap ? "bad" : c.abandon_rate >= 0.8 * c.abandon_cap ? "warn" : "ok";
      }
      setCell(x.abandon_rate, c.abandon_rate, fmtPct(c.abandon_rate, 1), cls);
      setCell(x.abandon_cap, c.abandon_cap, isNum(c.abandon_cap) ? ` / ${fmtPct(c.abandon_cap, 1)}` : "");
      const action = open ? "stop_campaign" : "start_campaign";
      if (x.button.dataset.action !== action) {
        x.button.dataset.action = action;
        x.button.textContent = open ? "stop" : "start";
      }
      const alert = typeof c.alert === "string" && c.alert !== "";
      rows[i].tr.classList.toggle("alert", alert);
      x.name.title = alert ? c.alert : "";
      x.name.classList.toggle("bad", alert);
    });
  }

  // ---------- traffic: arrival factors and overflow stages ----------

  const trafficRows = new Map();

  function factorForm(queue) {
    const input = el("input", {
      type: "number", name: "factor", min: "0", step: "0.05", inputmode: "decimal",
      "data-action": "arrival-factor", "data-queue": queue,
      "aria-label": queue === "*" ? "volume factor of all queues" : `volume factor of ${queue}`,
      placeholder: queue === "*" ? "1" : null,
    });
    const form = el("form", { "data-action": "arrival-factor", "data-queue": queue, class: "factor-form" },
      input,
      el("button", { type: "submit", "data-queue": queue, text: "set" }));
    return { form, input };
  }

  function buildTrafficRow(name) {
    const f = factorForm(name);
    const stages = el("td", { class: "stages", "data-queue": name, "data-field": "overflow" });
    const tr = el("tr", { "data-queue": name },
      el("td", { class: "name", text: name }),
      el("td", { class: "factor" }, f.form),
      stages);
    return { tr, input: f.input, stages, stageKey: null, stageNodes: [] };
  }

  function renderStages(row, queue, overflow) {
    const key = JSON.stringify(overflow.map((s) => [s.stage, s.after_s]));
    if (key !== row.stageKey) {
      row.stageKey = key;
      row.stageNodes = overflow.map((s, i) => {
        const stage = isNum(s.stage) ? s.stage : i;
        const pill = el("span", { class: "pill", "data-queue": queue, "data-stage": stage, "data-field": "state" });
        const openB = el("button", { type: "button", "data-action": "overflow-open", "data-queue": queue, "data-stage": stage, text: "open" });
        const closeB = el("button", { type: "button", "data-action": "overflow-close", "data-queue": queue, "data-stage": stage, text: "close" });
        const label = el("span", { class: "stage-label", text: `stage ${stage + 1}${isNum(s.after_s) ? " ≥ " + fmtDur(s.after_s) : ""}` });
        const box = el("span", { class: "stage" }, label, pill, openB, closeB);
        return { box, pill, openB, closeB };
      });
      if (overflow.length === 0) row.stages.replaceChildren(el("span", { class: "muted", text: "none" }));
      else row.stages.replaceChildren(...row.stageNodes.map((n) => n.box));
    }
    overflow.forEach((s, i) => {
      const n = row.stageNodes[i];
      const st = s.state === "open" || s.state === "closed" ? s.state : "auto";
      setCell(n.pill, s.state, st, "pill " + st);
      n.pill.title = st === "auto" ? "opens when the wait reaches its threshold" : `forced ${st}`;
      n.openB.disabled = st === "open";
      n.closeB.disabled = st === "closed";
    });
  }

  let allRow = null;

  function renderTraffic(queues) {
    const rows = syncRows($("traffic-rows"), trafficRows, queues.map((q) => q.name), buildTrafficRow);
    if (!allRow) {
      const f = factorForm("*");
      allRow = el("tr", { class: "all", "data-queue": "*" },
        el("td", { class: "name", text: "all queues" }), el("td", { class: "factor" }, f.form), el("td", {}));
      $("traffic-all").append(allRow);
    }
    setHidden(allRow, queues.length <= 1);
    queues.forEach((q, i) => {
      const r = rows[i];
      const editing = document.activeElement === r.input || r.input.dataset.dirty === "1";
      if (!editing) {
        const v = isNum(q.arrival_factor) ? String(q.arrival_factor) : "";
        if (r.input.value !== v) r.input.value = v;
      }
      r.input.setAttribute("data-value", isNum(q.arrival_factor) ? String(q.arrival_factor) : "");
      renderStages(r, q.name, Array.isArray(q.overflow) ? q.overflow : []);
    });
  }

  // ---------- header, alerts ----------

  let alertsKey = null;

  function renderHeader(s) {
    setText($("scenario"), s.scenario == null ? "" : String(s.scenario));
    const clock = typeof s.clock === "string" && s.clock ? s.clock : clockAt(s.time_s, true);
    setText($("clock"), clock);
    $("clock").setAttribute("data-value", isNum(s.time_s) ? String(s.time_s) : "");
    document.title = `${clock} · ${s.scenario == null ? "" : s.scenario} — acdsim live`;
    const speed = isNum(s.speed) ? `${s.speed}× real time` : "max speed";
    setCell($("speed"), s.speed, speed);
    setHidden($("paused"), s.paused !== true || s.ended === true);
    const behind = isNum(s.behind_s) && s.behind_s > 1 && !s.ended && !s.paused;
    setHidden($("behind"), !behind);
    if (behind) setText($("behind"), `behind by ${fmtDur(s.behind_s)}`);
    setHidden($("ended"), s.ended !== true);
    const frac = isNum(s.time_s) && isNum(s.horizon_s) && s.horizon_s > 0 ? Math.max(0, Math.min(1, s.time_s / s.horizon_s)) : 0;
    $("progress").style.width = `${(frac * 100).toFixed(2)}%`;

    const pause = $("pause");
    const action = s.paused ? "resume" : "pause";
    if (pause.dataset.action !== action) {
      pause.dataset.action = action;
      pause.textContent = action;
    }
    pause.disabled = s.ended === true;
    const current = isNum(s.speed) ? String(s.speed) : "max";
    for (const b of document.querySelectorAll('button[data-action="speed"]')) {
      const active = b.dataset.speed === current;
      b.classList.toggle("active", active);
      b.setAttribute("aria-pressed", active ? "true" : "false");
      b.disabled = s.ended === true;
    }
  }

  function renderAlerts(alerts) {
    const list = alerts.filter((a) => typeof a === "string" && a !== "");
    const key = JSON.stringify(list);
    if (key === alertsKey) return;
    alertsKey = key;
    $("alert-list").replaceChildren(...list.map((a) => el("li", { text: a })));
    setHidden($("alerts"), list.length === 0);
  }

  function renderEscalations(e) {
    const node = $("escalations");
    if (!e || typeof e !== "object") {
      setText(node, "");
      return;
    }
    setText(node, `escalations: ${fmtInt(e.waiting)} on hold, ${fmtInt(e.in_progress)} in progress`);
    node.className = "escalations" + (isNum(e.waiting) && e.waiting > 0 ? " warn" : "");
    node.setAttribute("data-waiting", isNum(e.waiting) ? String(e.waiting) : "");
    node.setAttribute("data-in-progress", isNum(e.in_progress) ? String(e.in_progress) : "");
  }

  // ---------- chart ----------

  let chartKey = null;

  // The top of the waiting axis: 4, 6, 8, 10, 20, 40, 60, 80, 100, 200…
  // (even, so that its half is a whole number of calls).
  function niceMax(x) {
    if (!(x > 4)) return 4;
    const p = Math.pow(10, Math.floor(Math.log10(x)));
    for (const m of [1, 2, 4, 6, 8, 10]) if (m * p >= x) return m * p;
    return 10 * p;
  }

  function renderChart(s) {
    const node = $("chart");
    const h = s.history && typeof s.history === "object" ? s.history : {};
    const ts = Array.isArray(h.t_s) ? h.t_s : [];
    const waiting = Array.isArray(h.waiting) ? h.waiting : [];
    const sl = Array.isArray(h.service_level) ? h.service_level : [];
    const W = Math.max(320, Math.round(node.clientWidth || 640));
    const H = 190;
    const targets = [...new Set((s.queues || []).map((q) => q.target).filter(isNum))];
    const target = targets.length === 1 ? targets[0] : null;
    const key = JSON.stringify([W, ts.length, ts[ts.length - 1], waiting[waiting.length - 1], sl[sl.length - 1], s.time_s, s.horizon_s, target, wb.startClockS]);
    if (key === chartKey) return;
    chartKey = key;

    const ml = 40, mr = 40, mt = 10, mb = 22;
    const pw = W - ml - mr, ph = H - mt - mb;
    const t0 = Math.min(0, isNum(ts[0]) ? ts[0] : 0);
    const t1 = Math.max(isNum(s.horizon_s) ? s.horizon_s : 0, isNum(ts[ts.length - 1]) ? ts[ts.length - 1] : 0, isNum(s.time_s) ? s.time_s : 0, t0 + 1);
    const x = (t) => ml + ((t - t0) / (t1 - t0)) * pw;
    const wMax = niceMax(Math.max(0, ...waiting.filter(isNum)) * 1.1);
    const yW = (w) => mt + ph - (w / wMax) * ph;
    const yS = (v) => mt + ph - v * ph;

    const parts = [];
    // grid and axes
    for (const v of [0, 0.5, 1]) {
      parts.push(svg("line", { class: "grid", x1: ml, x2: ml + pw, y1: yS(v), y2: yS(v) }));
      parts.push(svg("text", { class: "axis", x: ml - 5, y: yS(v) + 4, "text-anchor": "end" }, `${v * 100}%`));
      parts.push(svg("text", { class: "axis", x: ml + pw + 5, y: yS(v) + 4, "text-anchor": "start" }, fmtInt(v * wMax)));
    }
    // hour ticks, fewer when the day is long
    const span = t1 - t0;
    const step = [900, 1800, 3600, 7200, 10800, 21600].find((d) => span / d <= 8) || 43200;
    for (let t = Math.ceil(t0 / step) * step; t <= t1 + 1e-6; t += step) {
      parts.push(svg("line", { class: "grid", x1: x(t), x2: x(t), y1: mt + ph, y2: mt + ph + 4 }));
      parts.push(svg("text", { class: "axis", x: x(t), y: H - 5, "text-anchor": "middle" }, clockAt(t, false)));
    }
    // calls waiting: a step area, each point held until the next one
    // (the last until now)
    const n = Math.min(ts.length, waiting.length);
    if (n > 0) {
      const tEnd = isNum(s.time_s) ? Math.max(s.time_s, ts[n - 1]) : ts[n - 1];
      let d = `M${x(ts[0]).toFixed(1)},${yW(0).toFixed(1)}`;
      for (let i = 0; i < n; i++) {
        const yw = yW(isNum(waiting[i]) ? Math.min(waiting[i], wMax) : 0).toFixed(1);
        const xb = x(i + 1 < n ? ts[i + 1] : tEnd).toFixed(1);
        d += `L${x(ts[i]).toFixed(1)},${yw}L${xb},${yw}`;
      }
      d += `L${x(tEnd).toFixed(1)},${yW(0).toFixed(1)}Z`;
      parts.push(svg("path", { class: "waiting", d }));
    }
    // target
    if (target != null) parts.push(svg("line", { class: "target", x1: ml, x2: ml + pw, y1: yS(target), y2: yS(target) }));
    // service level: a line broken where it is undefined
    const m = Math.min(ts.length, sl.length);
    let d = "";
    let pen = false;
    for (let i = 0; i < m; i++) {
      if (!isNum(sl[i])) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${x(ts[i]).toFixed(1)},${yS(Math.max(0, Math.min(1, sl[i]))).toFixed(1)}`;
      pen = true;
    }
    if (d) parts.push(svg("path", { class: "sl", d }));
    // now
    if (isNum(s.time_s)) parts.push(svg("line", { class: "now", x1: x(s.time_s), x2: x(s.time_s), y1: mt, y2: mt + ph }));

    node.setAttribute("viewBox", `0 0 ${W} ${H}`);
    node.replaceChildren(...parts);
  }

  // ---------- render ----------

  function render() {
    scheduled = false;
    const s = wb.snapshot;
    if (!s || typeof s !== "object") return;
    // The clock at run time 0: given by the server, else from the clock text.
    if (isNum(s.clock_start_s)) {
      wb.startClockS = s.clock_start_s;
    } else if (s.clock_start_s === null) {
      wb.startClockS = null;
    } else {
      const c = parseClock(s.clock);
      if (c != null && isNum(s.time_s)) wb.startClockS = c - Math.floor(s.time_s);
    }
    const queues = Array.isArray(s.queues) ? s.queues : [];
    const groups = Array.isArray(s.agent_groups) ? s.agent_groups : [];
    const campaigns = Array.isArray(s.campaigns) ? s.campaigns : [];
    renderHeader(s);
    renderAlerts(Array.isArray(s.alerts) ? s.alerts : []);
    renderQueues(queues);
    const agents = groups.filter((g) => g.role !== "supervisor");
    const supervisors = groups.filter((g) => g.role === "supervisor");
    renderGroupRows($("group-rows"), groupRows, agents, AGENT_FIELDS);
    setHidden($("supervisors-section"), supervisors.length === 0 && !s.escalations);
    renderGroupRows($("supervisor-rows"), supervisorRows, supervisors, SUPERVISOR_FIELDS);
    renderEscalations(s.escalations);
    renderMoveForm(groups);
    renderCampaigns(campaigns);
    renderTraffic(queues);
    renderChart(s);
    wb.rendered += 1;
    document.body.dataset.rendered = String(wb.rendered);
  }

  // A slow page renders only the latest snapshot: at most one render per frame.
  let scheduled = false;

  function accept(snapshot) {
    wb.snapshot = snapshot;
    if (scheduled) return;
    scheduled = true;
    const run = () => {
      if (scheduled) render();
    };
    if (document.hidden) setTimeout(run, 0);
    else {
      requestAnimationFrame(run);
      setTimeout(run, 250); // no frames in a background tab
    }
  }

  window.addEventListener("resize", () => {
    chartKey = null;
    if (wb.snapshot) accept(wb.snapshot);
  });

  // ---------- connection ----------

  function setConnection(state, text) {
    document.body.dataset.connection = state;
    setText($("connection"), text);
  }

  async function refresh() {
    try {
      const r = await fetch("/api/state", { cache: "no-store" });
      if (r.ok) accept(await r.json());
    } catch (_) {
      // the stream reports the connection state
    }
  }

  let retry = 1000;

  function connect() {
    if (typeof EventSource !== "function") {
      poll();
      return;
    }
    const es = new EventSource("/api/stream");
    es.onopen = () => {
      retry = 1000;
      setConnection("live", "live");
    };
    es.onmessage = (ev) => {
      let snapshot;
      try {
        snapshot = JSON.parse(ev.data);
      } catch (_) {
        return; // not a snapshot (a comment or a partial line): wait for the next
      }
      accept(snapshot);
    };
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        setConnection("disconnected", `disconnected, retrying in ${Math.round(retry / 1000)} s`);
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 15000);
      } else {
        setConnection("reconnecting", "reconnecting…");
      }
    };
  }

  async function poll() {
    try {
      const r = await fetch("/api/state", { cache: "no-store" });
      if (r.ok) {
        accept(await r.json());
        setConnection("live", "live (polling)");
      } else setConnection("disconnected", `HTTP ${r.status}`);
    } catch (_) {
      setConnection("disconnected", "disconnected");
    }
    setTimeout(poll, 1000);
  }

  refresh();
  connect();
})();
