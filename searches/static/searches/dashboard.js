// The live dashboard. It polls /api/searches/<id>/ with the version it last drew; the server
// answers "unchanged" cheaply until something moves. Charts are redrawn with Plotly.react and a
// fixed uirevision, so a zoom or a pan the user made survives every update.
(function () {
  "use strict";
  const searchId = JSON.parse(document.getElementById("search-id").textContent);
  const POLL_MS = 1000;
  let state = null;
  let version = "";
  let sortKey = "rank";
  let sortDescending = false;
  const slider = document.getElementById("generation-slider");
  const overlay = document.getElementById("overlay");
  let sliderTouched = false;

  const fmt = (v, digits) => (v === null || v === undefined ? "-" : typeof v === "number" ? v.toFixed(digits === undefined ? 4 : digits) : String(v));
  const duration = (s) => {
    if (s === null || s === undefined) return "-";
    s = Math.round(s);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return h ? h + "h " + m + "m" : m ? m + "m " + (s % 60) + "s" : s + "s";
  };
  const el = (tag, text, attrs) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; Object.assign(e, attrs || {}); return e; };
  // Trained points blue; stopped early gold; failed red; cached copies grey.
  const STATUS_COLOURS = { done: "#4a6fa5", stopped: "#d4a017", failed: "#c0392b", cached: "#999" };
  // Points are drawn as SVG: up to a few thousand of them (the server sends no more; beyond, its
  // densities are drawn instead). No chart needs WebGL, whose contexts a browser keeps ~16 of.
  // An accuracy lives in [0, 1]: the axis fits the points, but never runs outside that range. Any
  // other fitness (a minimised metric's is negative) gets the axis its points need.
  const fitnessRange = () => (state.search.metric === "val_accuracy" && state.search.direction === "maximize"
    ? { minallowed: 0, maxallowed: 1.02 } : {});
  // Points by generation, light to dark; the first generation's light blue still shows on the plot's grey.
  const GENERATIONS = [[0, "#9ecae1"], [1, "#08306b"]];
  const layout = (extra) => Object.assign({ margin: { l: 50, r: 10, t: 10, b: 40 }, uirevision: "keep", hovermode: "closest",
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fafafa" }, extra);

  async function poll() {
    try {
      const since = state ? "&since=" + encodeURIComponent(state.base.token + ":" + state.base.seq) : "";
      const response = await fetch("/api/searches/" + searchId + "/?version=" + encodeURIComponent(version) + since, { credentials: "same-origin" });
      if (response.status === 401 || response.redirected) { signedOut(); return; }  // no more polling: say so
      if (response.ok) {
        const data = await response.json();
        if (!data.unchanged) {
          const received = performance.now();
          state = merged(state, data); version = data.version; draw();
          // The first state's times (since the page began loading), for the browser test to report.
          if (window.gawebFirstDraw === undefined) window.gawebFirstDraw = { received, drawn: performance.now() };
        }
      }
    } catch (e) { /* the server restarting: try again at the next tick */ }
    setTimeout(poll, POLL_MS);
  }

  // A delta holds the points that ended since our copy, and the histogram (and density) counts
  // of the generations they changed; every small aggregate comes whole. Merged here into our copy.
  function merged(old, data) {
    if (!data.delta || !old) return data;
    if (data.points && old.points) {
      ["id", "generation", "fitness", "status", "origin", "parameter_count", "train_seconds"].forEach((k) => { data.points[k] = old.points[k].concat(data.points[k]); });
      Object.keys(data.points.traits).forEach((k) => { data.points.traits[k] = old.points.traits[k].concat(data.points.traits[k]); });
    }
    data.histograms.forEach((h, i) => { h.counts = Object.assign({}, old.histograms[i].counts, h.counts); });
    if (data.density && old.density) data.density.generations = Object.assign({}, old.density.generations, data.density.generations);
    return data;
  }

  function signedOut() {
    const error = document.getElementById("error");
    error.hidden = false;
    error.textContent = "Signed out: this page no longer updates. ";
    error.appendChild(el("a", "Sign in again", { href: "/accounts/login/?next=" + encodeURIComponent(location.pathname) }));
  }

  function draw() {
    drawHeader();
    drawFinal();
    drawFitness();
    drawWorkers();
    drawImportance();
    drawFronts();
    drawRungs();
    if (boardOffset > 0) showBoardPage(boardOffset); else drawLeaderboard();
    drawHistograms();
    drawScatter();
    drawFamily();
  }

  function drawHeader() {
    const s = state.search, p = state.progress;
    const status = document.getElementById("status");
    status.textContent = s.status;
    status.className = "status " + s.status;
    document.getElementById("progress-bar").firstElementChild.style.width = (p.total ? (100 * p.ended / p.total) : 0) + "%";
    const parts = [
      "strategy " + s.strategy,
      s.started_at ? "generation " + (s.generation + 1) + " of " + s.generations : "not started",
      p.ended + " of " + p.total + " entities ended: " + p.done + " done, " + (p.stopped ? p.stopped + " stopped early, " : "") + p.cached + " cached, " + p.failed + " failed; " + p.running + " running, " + p.queued + " queued" + (p.waiting ? ", " + p.waiting + " waiting at a rung" : "") + (p.cancelled ? ", " + p.cancelled + " cancelled (never trained)" : ""),
      "best fitness " + fmt(state.best && state.best.fitness),
    ];
    if (state.improvement_over_first_generation !== null) parts.push(fmt(state.improvement_over_first_generation, 4).replace(/^(?!-)/, "+") + " over generation 1");
    if (state.baseline) parts.push(fmt(state.improvement_over_baseline, 4).replace(/^(?!-)/, "+") + " over the baseline (" + fmt(state.baseline.fitness) + ")");
    parts.push(el("span", "elapsed " + duration(elapsedSeconds()), { id: "elapsed" }));
    if (s.eta_seconds !== null) parts.push("about " + duration(s.eta_seconds) + " left");
    if (s.combinations !== null) parts.push(s.combinations.toLocaleString("en") + " combinations");
    if (s.note) parts.push(s.note);
    const stopping = state.early_stopping;
    if (stopping) {
      parts.push("early stopping (" + stopping.rule.rule + "): " + stopping.epochs_saved + " " + stopping.unit + " saved (" +
        Math.round(100 * stopping.share_saved) + "%, about " + duration(stopping.seconds_saved) + ")");
    }
    const summary = document.getElementById("summary");
    summary.innerHTML = "";
    parts.forEach((part) => summary.appendChild(typeof part === "string" ? el("span", part) : part));
    ["cancel-form", "finish-form"].forEach((id) => {
      const form = document.getElementById(id);
      if (form && !["pending", "running"].includes(s.status)) form.remove();
    });
    const error = document.getElementById("error");
    error.hidden = !s.error;
    error.textContent = s.error ? (s.status === "failed" ? "This search failed: " : "") + s.error : "";
    // The downloads of the best only once there is one; the charts only once something has ended
    // (a search that failed before any result shows its reason, not empty charts).
    ["download-best-json", "download-best-py"].forEach((id) => { const a = document.getElementById(id); if (a) a.hidden = !state.best; });
    document.getElementById("charts").hidden = s.status === "failed" && p.ended === 0;
  }

  // Elapsed time runs on in the browser: the state is only re-sent when something changes.
  function elapsedSeconds() {
    const s = state.search;
    if (!s.started_at) return 0;
    const end = s.finished_at ? Date.parse(s.finished_at) : Date.now();
    return Math.max(0, (end - Date.parse(s.started_at)) / 1000);
  }
  setInterval(() => { const e = document.getElementById("elapsed"); if (e && state) e.textContent = "elapsed " + duration(elapsedSeconds()); }, 1000);

  function hoverText(i) {
    const pts = state.points;
    const lines = ["#" + pts.id[i] + " (generation " + (pts.generation[i] + 1) + ", " + pts.status[i] + ")", "fitness " + fmt(pts.fitness[i])];
    Object.entries(pts.traits).forEach(([name, values]) => lines.push(name + " = " + values[i]));
    return lines.join("<br>");
  }

  // The fitness bins' centres, and a density's zero cells left blank.
  // The bins span [0, 1] for an accuracy, and widen for other fitness (a minimised metric's is negative).
  const binCentres = (bins, range) => {
    const [low, high] = range || [0, 1];
    return Array.from({ length: bins }, (_, i) => low + ((i + 0.5) * (high - low)) / bins);
  };
  const blankZeros = (rows) => rows.map((row) => row.map((n) => (n ? n : null)));
  const DENSITY = { type: "heatmap", colorscale: "Blues", reversescale: true, showscale: false, hoverongaps: false, xgap: 1 };

  function drawFitness() {
    const pts = state.points;
    const traces = [];
    if (state.aggregated) {
      // Above a few thousand candidates: how many candidates of each generation reached each fitness.
      const d = state.density, gens = Object.keys(d.generations).map(Number).sort((a, b) => a - b);
      const z = binCentres(d.fitness_bins, d.fitness_range).map((_, bin) => gens.map((g) => d.generations[g][bin]));
      traces.push(Object.assign({ name: "candidates", x: gens.map((g) => g + 1), y: binCentres(d.fitness_bins, d.fitness_range), z: blankZeros(z),
        hovertemplate: "generation %{x}, fitness %{y:.2f}: %{z} candidates<extra></extra>" }, DENSITY));
    } else {
      const jitter = pts.id.map((id) => ((id * 2654435761) % 1000) / 1000 * 0.5 - 0.25);
      traces.push({
        type: "scatter", mode: "markers", name: "entities",
        x: pts.generation.map((g, i) => g + 1 + jitter[i]), y: pts.fitness, customdata: pts.id,
        text: pts.id.map((_, i) => hoverText(i)), hoverinfo: "text",
        marker: { size: 6, opacity: 0.6, color: pts.status.map((s) => STATUS_COLOURS[s] || "#4a6fa5") },
      });
    }
    const gens = state.generations.filter((g) => g.count > 0);
    traces.push({ type: "scatter", mode: "lines+markers", name: "best so far", x: gens.map((g) => g.generation + 1), y: gens.map((g) => g.best_so_far), line: { color: "#27ae60" } });
    traces.push({ type: "scatter", mode: "lines+markers", name: "mean", x: gens.map((g) => g.generation + 1), y: gens.map((g) => g.mean), line: { color: "#e67e22", dash: "dot" } });
    const shapes = [];
    if (state.baseline) {
      shapes.push({ type: "line", xref: "paper", x0: 0, x1: 1, y0: state.baseline.fitness, y1: state.baseline.fitness, line: { color: "#8e44ad", dash: "dash" } });
      traces.push({ type: "scatter", mode: "lines", name: "baseline", x: [null], y: [null], line: { color: "#8e44ad", dash: "dash" } });
    }
    const div = document.getElementById("fitness-chart");
    const many = state.search.generations > 30;  // a tick per generation, while they fit
    Plotly.react(div, traces, layout({ height: 340, shapes, xaxis: { title: { text: "generation" }, dtick: many ? undefined : 1 },
      yaxis: { title: { text: "fitness" }, autorangeoptions: fitnessRange() }, legend: { orientation: "h" } }));
    if (!div.dataset.wired) {
      div.on("plotly_click", (event) => { const id = event.points[0].customdata; if (id) openEntity(id); });
      div.dataset.wired = "1";
    }
  }

  // The final results: the search's best and the tutorial's network, measured on the test split.
  // Which traits matter: each trait's share (PED-ANOVA, worked out on the server), and how it
  // settled as generations were added. Hidden until the search has enough trained candidates.
  function drawImportance() {
    const imp = state.importance;
    document.getElementById("importance-card").hidden = !imp;
    if (!imp) return;
    document.getElementById("importance-title").textContent = "over " + imp.candidates.toLocaleString("en")
      + " fully trained candidates" + (imp.sampled < imp.candidates ? " (a fixed sample of " + imp.sampled.toLocaleString("en") + ")" : "")
      + ", by " + imp.method;
    const names = imp.traits.slice().reverse();  // horizontal bars draw from the bottom: the most important on top
    Plotly.react(document.getElementById("importance-chart"), [{
      type: "bar", orientation: "h", x: names.map((n) => imp.importance[n]), y: names, marker: { color: "#4a6fa5" },
      hovertemplate: "%{y}: %{x:.0%} of the importance<extra></extra>",
    }], layout({ height: 60 + 26 * names.length, margin: { l: 130, r: 10, t: 10, b: 40 },
      xaxis: { title: { text: "share of the importance" }, tickformat: ".0%", rangemode: "tozero" } }));
    const t = imp.timeline;
    Plotly.react(document.getElementById("importance-timeline"), imp.traits.map((n) => ({
      type: "scatter", mode: "lines+markers", name: n, x: t.generations.map((g) => g + 1), y: t.importance[n],
      customdata: t.candidates, hovertemplate: n + ": %{y:.0%} over generations 1 to %{x} (%{customdata} candidates)<extra></extra>",
    })), layout({ height: Math.max(260, 60 + 26 * names.length), hovermode: "x unified",
      xaxis: { title: { text: "generations 1 to" }, dtick: t.generations.length > 12 ? undefined : 1 },
      yaxis: { title: { text: "importance" }, tickformat: ".0%", rangemode: "tozero" } }));
  }

  // Fitness against what it cost (parameters, training seconds): every fully trained candidate,
  // and the front of those no other beats on both counts, as a step line.
  function drawFronts() {
    const card = document.getElementById("fronts-card");
    const fronts = state.fronts || {};
    const has = (cost) => fronts[cost] && fronts[cost].id.length > 0;
    // Each chart shows only where its cost is known (an objective of your own may not count parameters).
    card.hidden = !has("parameter_count") && !has("train_seconds");
    if (card.hidden) return;
    const pts = state.points;
    [["parameter_count", "fronts-size", "parameters"], ["train_seconds", "fronts-time", "training seconds"]]
      .forEach(([cost, id, label]) => {
        document.getElementById(id).hidden = !has(cost);
        if (!has(cost)) return;
        const front = fronts[cost];
        // A log axis spreads sizes and times over their orders of magnitude; it cannot hold a 0.
        const scale = front.cost[0] > 0 ? "log" : "linear";
        const traces = [];
        if (pts) {
          const shown = pts.id.map((_, i) => i).filter((i) => pts.status[i] === "done" && pts[cost][i] !== null);
          traces.push({ type: "scatter", mode: "markers", name: "candidates", x: shown.map((i) => pts[cost][i]),
            y: shown.map((i) => pts.fitness[i]), customdata: shown.map((i) => pts.id[i]),
            marker: { size: 5, color: "#9ecae1", opacity: 0.8 },
            hovertemplate: "#%{customdata}: fitness %{y:.4f}, " + label + " %{x:,.4~g}<extra></extra>" });
        }
        traces.push({ type: "scatter", mode: "lines+markers", name: "front", line: { shape: "hv", color: "#d62728" },
          marker: { size: 7, color: "#d62728" }, x: front.cost, y: front.fitness, customdata: front.id,
          hovertemplate: "#%{customdata} on the front: fitness %{y:.4f}, " + label + " %{x:,.4~g}<extra></extra>" });
        Plotly.react(document.getElementById(id), traces, layout({ height: 300, showlegend: false,
          xaxis: { title: { text: label }, type: scale }, yaxis: { title: { text: "fitness" }, autorangeoptions: fitnessRange() } }));
        const div = document.getElementById(id);
        if (!div.dataset.wired) { div.on("plotly_click", (e) => { const pk = e.points[0].customdata; if (pk) openEntity(pk); }); div.dataset.wired = "1"; }
      });
  }

  // Early stopping's rungs: how many candidates reached each, and the fitness where they ended
  // (the server keeps five numbers per rung, so this costs the same at any size).
  function drawRungs() {
    const r = state.rungs;
    document.getElementById("rungs-card").hidden = !r;
    if (!r) return;
    const last = r.epochs.length - 1;
    // A rung whose epoch trained on a share of the images (successive halving's images resource) says so.
    const share = (i) => (r.shares && r.shares[i] < 1 ? " (1/" + Math.round(1 / r.shares[i]) + " of the images)" : "");
    const names = r.epochs.map((e, i) => (i === last ? "all " + e + " epochs" : "epoch " + e + share(i)));
    document.getElementById("rungs-title").textContent = r.reached[0].toLocaleString("en") + " judged at the first rung, "
      + r.reached[last].toLocaleString("en") + " trained to the end";
    Plotly.react(document.getElementById("rungs-reached"), [{
      type: "bar", x: names, y: r.reached, text: r.reached.map((n) => n.toLocaleString("en")), textposition: "auto",
      marker: { color: "#4a6fa5" }, hovertemplate: "%{y} candidates reached %{x}<extra></extra>",
    }], layout({ height: 280, xaxis: { type: "category" }, yaxis: { title: { text: "candidates" }, rangemode: "tozero" } }));
    const shown = names.map((_, i) => i).filter((i) => r.fitness[i] !== null);
    const five = (k) => shown.map((i) => r.fitness[i][k]);
    Plotly.react(document.getElementById("rungs-fitness"), [{
      type: "box", x: shown.map((i) => names[i]), lowerfence: five(0), q1: five(1), median: five(2), q3: five(3),
      upperfence: five(4), marker: { color: "#d4a017" }, name: "ended here",
      customdata: shown.map((i) => r.ended[i]), hovertemplate: "%{customdata} ended at %{x}<extra></extra>",
    }], layout({ height: 280, showlegend: false, xaxis: { type: "category", categoryorder: "array", categoryarray: names },
      yaxis: { title: { text: "fitness where they ended" }, autorangeoptions: fitnessRange() } }));
  }

  function drawFinal() {
    const rows = state.final || [];
    const form = document.getElementById("final-form");
    const failedOnly = rows.length > 0 && rows.every((r) => r.status === "failed");
    if (form) form.hidden = !(state.search.status === "completed" && (rows.length === 0 || failedOnly));
    const download = document.getElementById("download-best-keras");
    // best.keras: the pick of the final training (the best on its held-out images), or the search's crown.
    const picked = rows.some((r) => r.picked);
    if (download) download.hidden = !rows.some((r) => (picked ? r.picked : r.crowned) && r.model_bytes);
    const card = document.getElementById("final-card");
    card.hidden = rows.length === 0;
    const body = card.querySelector("tbody");
    body.innerHTML = "";
    rows.forEach((r) => {
      const tr = body.appendChild(el("tr", undefined, { className: r.tutorial ? "tutorial" : "" }));
      const marks = (r.crowned ? " · the search's best" : "") + (r.picked ? " · best.keras" : "");
      tr.appendChild(el("td", (r.tutorial ? "tutorial" : String(r.rank)) + marks));
      const genome = tr.appendChild(el("td", undefined, { className: "genome" }));
      Object.entries(r.genome).forEach(([name, value], i) => {
        if (i) genome.appendChild(document.createTextNode(", "));
        genome.appendChild(el(r.differs_from_tutorial.includes(name) ? "strong" : "span", name + "=" + value));
      });
      tr.appendChild(el("td", fmt(r.validation_accuracy)));
      tr.appendChild(el("td", fmt(r.final_validation_accuracy)));
      tr.appendChild(el("td", fmt(r.test_accuracy)));
      tr.appendChild(el("td", fmt(r.test_loss)));
      tr.appendChild(el("td", r.parameter_count === null ? "-" : r.parameter_count.toLocaleString("en")));
      tr.appendChild(el("td", r.train_seconds === null ? "-" : duration(r.train_seconds)));
      tr.appendChild(el("td", r.status + (r.error ? ": " + r.error : "")));
    });
  }

  function drawWorkers() {
    const body = document.querySelector("#workers tbody");
    body.innerHTML = "";
    const active = ["pending", "running"].includes(state.search.status);
    if (!state.workers.length) body.appendChild(el("tr")).appendChild(el("td", active ? "no worker has taken an entity yet" : "no worker is training for this search", { colSpan: 5 }));
    state.workers.forEach((w) => {
      const row = body.appendChild(el("tr"));
      row.appendChild(el("td", w.worker));
      row.appendChild(el("td", w.gpu === "" ? "CPU" : "GPU " + w.gpu));
      const cell = row.appendChild(el("td"));
      if (w.entity) { const a = cell.appendChild(el("a", "#" + w.entity, { href: "#" })); a.addEventListener("click", (e) => { e.preventDefault(); openEntity(w.entity); }); } else cell.textContent = "idle";
      row.appendChild(el("td", duration(w.running_seconds)));
      row.appendChild(el("td", String(w.done)));
    });
    // A machine without this search's dataset takes none of its candidates, and says why.
    (state.unable_hosts || []).forEach((u) => {
      const row = body.appendChild(el("tr", undefined, { className: "unable" }));
      row.appendChild(el("td", u.host));
      row.appendChild(el("td", "cannot train this search: " + u.reason, { colSpan: 4 }));
    });
  }

  // The leaderboard's first page comes with the state; the others are asked for when shown,
  // and asked again when the state changes while one of them is shown.
  const PAGE = 25;
  let boardOffset = 0;
  let boardPage = null;

  async function showBoardPage(offset) {
    boardOffset = Math.max(0, offset);
    if (boardOffset > 0) {
      const response = await fetch("/api/searches/" + searchId + "/leaderboard/?offset=" + boardOffset, { credentials: "same-origin" });
      if (!response.ok) return;
      boardPage = await response.json();
    }
    drawLeaderboard();
  }

  function drawLeaderboard() {
    const traits = state.traits.map((t) => t.name);
    const onFirst = boardOffset === 0 || !boardPage;
    const shown = onFirst ? state.leaderboard : boardPage.rows;
    // Several objectives: the board ranks by Pareto front (1: nobody beats it on every objective), then crowding.
    const fronts = shown.length > 0 && shown[0].front !== undefined ? ["front"] : [];
    const columns = ["rank", ...fronts, "id", "generation", "fitness", "accuracy", "parameter_count", "train_seconds", ...traits];
    const total = onFirst ? state.leaderboard_total : boardPage.total;
    document.getElementById("leaderboard-count").textContent = total === 0 ? "" : shown.length === total ? "all " + total
      : "ranks " + (boardOffset + 1) + "-" + (boardOffset + shown.length) + " of " + total.toLocaleString("en");
    document.getElementById("leaderboard-previous").hidden = boardOffset === 0;
    document.getElementById("leaderboard-next").hidden = boardOffset + PAGE >= total;
    const head = document.querySelector("#leaderboard thead");
    head.innerHTML = "";
    const hr = head.appendChild(el("tr"));
    // The "accuracy" column holds the objective's metric: named so where it is another (negated when minimised).
    const metric = state.search.metric || "val_accuracy";
    const metricLabel = metric === "val_accuracy" ? "accuracy" : (state.search.direction === "minimize" ? "-" : "") + metric;
    columns.forEach((c) => {
      // A zero-width space after each underscore lets a long trait name wrap there.
      const label = c === "accuracy" ? metricLabel : c;
      const th = hr.appendChild(el("th", label.replaceAll("_", traits.includes(c) || c === "accuracy" ? "_\u200b" : " ") + (c === sortKey ? (sortDescending ? " ▼" : " ▲") : "")));
      th.addEventListener("click", () => { sortDescending = sortKey === c ? !sortDescending : c === "fitness" || c === "accuracy"; sortKey = c; drawLeaderboard(); });
    });
    const value = (r, c) => (traits.includes(c) ? r.genome[c] : c === "generation" ? r.generation + 1 : r[c]);
    const rows = shown.slice().sort((a, b) => {
      const x = value(a, sortKey), y = value(b, sortKey);
      const order = x < y ? -1 : x > y ? 1 : 0;
      return sortDescending ? -order : order;
    });
    const body = document.querySelector("#leaderboard tbody");
    body.innerHTML = "";
    rows.forEach((r) => {
      const tr = body.appendChild(el("tr", undefined, { className: "clickable" }));
      tr.dataset.entity = r.id;
      columns.forEach((c) => {
        const v = value(r, c);
        tr.appendChild(el("td", typeof v === "number" && !Number.isInteger(v) ? fmt(v, c === "train_seconds" ? 1 : 4) : String(v)));
      });
      tr.addEventListener("click", () => openEntity(r.id));
    });
  }

  function drawHistograms() {
    const container = document.getElementById("histograms");
    const last = Math.max(0, state.generations.filter((g) => g.count > 0).length - 1);
    slider.max = String(Math.max(0, state.search.generations - 1));
    if (!sliderTouched) slider.value = String(last);
    const chosen = Number(slider.value);
    document.getElementById("generation-label").textContent = overlay.checked ? "(all)" : String(chosen + 1);
    state.histograms.forEach((h, index) => {
      let div = container.children[index];
      if (!div) { div = container.appendChild(el("div", undefined, { className: "small-chart" })); }
      const generations = overlay.checked ? Object.keys(h.counts).map(Number).filter((g) => g <= last).sort((a, b) => a - b) : [chosen];
      const traces = generations.map((g) => ({
        type: "bar", name: "generation " + (g + 1), x: h.x, y: h.counts[g] || [],
        width: h.edges ? h.edges.slice(1).map((e, i) => e - h.edges[i]) : undefined,
        marker: { color: shade(g, Math.max(last, 1)) }, opacity: overlay.checked ? 0.55 : 1,
      }));
      Plotly.react(div, traces, layout({
        height: 200, barmode: "overlay", showlegend: false, margin: { l: 44, r: 8, t: 10, b: 44 },
        xaxis: Object.assign(traitAxis(h), { title: { text: h.name + (h.axis === "log" ? " (log scale)" : ""), font: { size: 11 }, standoff: 4 } }),
        yaxis: { tickfont: { size: 9 }, title: { text: "candidates", font: { size: 11 }, standoff: 2 } },
      }), { displayModeBar: false });
    });
  }

  // A trait's axis spans its whole range (every value of a grid, low to high otherwise), not only
  // the values the population happens to hold: where it converges shows against where it could be.
  function traitAxis(h) {
    if (h.axis === "category") return { type: "category", categoryorder: "array", categoryarray: h.x, range: [-0.5, h.x.length - 0.5], tickfont: { size: 9 } };
    const low = h.edges[0], high = h.edges[h.edges.length - 1];
    return { type: h.axis, range: h.axis === "log" ? [Math.log10(low), Math.log10(high)] : [low, high], tickfont: { size: 9 } };
  }

  function shade(g, last) { // sequential colour: light (early) to dark (late)
    const t = last ? g / last : 1;
    return "rgb(" + Math.round(198 - 150 * t) + "," + Math.round(219 - 150 * t) + "," + Math.round(239 - 110 * t) + ")";
  }

  // The histogram's label for a value: the same text for a category everywhere (numbers match the nearest label).
  function labeller(labels) {
    const numeric = labels.map((l) => Number(l));
    return (v) => {
      if (typeof v !== "number") return String(v);
      let best = 0;
      numeric.forEach((n, i) => { if (Math.abs(n - v) < Math.abs(numeric[best] - v)) best = i; });
      return labels[best];
    };
  }

  function drawScatter() {
    const container = document.getElementById("scatter");
    const pts = state.points;
    state.traits.forEach((t, index) => {
      let div = container.children[index];
      if (!div) div = container.appendChild(el("div", undefined, { className: "small-chart" }));
      // Discrete traits: one column per value of the grid, in the grid's order (as in the histograms).
      const histogram = state.histograms[index];
      const categorical = histogram.axis === "category";
      const label = categorical ? labeller(histogram.x) : null;
      let traces;
      if (state.aggregated) {
        // How many candidates with each value reached each fitness (every generation together).
        const d = state.density, counts = d.traits[index];
        const z = binCentres(d.fitness_bins, d.fitness_range).map((_, bin) => counts.map((row) => row[bin]));
        traces = [Object.assign({ x: histogram.x, y: binCentres(d.fitness_bins, d.fitness_range), z: blankZeros(z),
          hovertemplate: t.name + " %{x}, fitness %{y:.2f}: %{z} candidates<extra></extra>" }, DENSITY)];
      } else {
        traces = [{
          type: "scatter", mode: "markers", x: pts.traits[t.name].map((v) => (categorical ? label(v) : v)), y: pts.fitness,
          customdata: pts.id, marker: { size: 5, opacity: 0.7, color: pts.generation, colorscale: GENERATIONS, cmin: 0, cmax: Math.max(1, state.search.generations - 1) },
          hovertemplate: t.name + " = %{x}<br>fitness %{y:.4f}<extra>#%{customdata}</extra>",
        }];
      }
      // Every value of the grid is a category of the axis, also the ones no candidate holds.
      if (categorical && !state.aggregated) traces.push({ type: "scatter", mode: "markers", x: histogram.x, y: histogram.x.map(() => null), hoverinfo: "skip", showlegend: false });
      Plotly.react(div, traces, layout({
        height: 200, margin: { l: 44, r: 8, t: 10, b: 44 }, showlegend: false,
        xaxis: Object.assign(traitAxis(histogram), { title: { text: t.name + (state.aggregated ? " (darker: more candidates)" : " (darker: later generations)"), font: { size: 11 }, standoff: 4 } }),
        yaxis: { tickfont: { size: 9 }, autorangeoptions: fitnessRange(), title: { text: "fitness", font: { size: 11 }, standoff: 2 } },
      }), { displayModeBar: false });
      if (!div.dataset.wired) { div.on("plotly_click", (e) => { const id = e.points[0].customdata; if (id) openEntity(id); }); div.dataset.wired = "1"; }
    });
  }

  // --- The family tree: the best's ancestors by default, any node's on a click ---------------
  let familyRoot = null;   // the entity whose tree is drawn; null: the best, following it as it changes
  let familyDrawn = null;  // the root and the state version last drawn

  async function drawFamily() {
    const root = familyRoot || (state.best && state.best.id);
    const card = document.getElementById("family-card");
    card.hidden = !root;
    if (!root || (familyDrawn && familyDrawn.root === root && (familyRoot || familyDrawn.best === state.best.id))) return;
    familyDrawn = { root, best: state.best && state.best.id };
    const response = await fetch("/api/entities/" + root + "/family/", { credentials: "same-origin" });
    if (!response.ok) return;
    const tree = await response.json();
    document.getElementById("family-title").textContent = "of #" + root + (familyRoot ? "" : " (the best)") +
      ": " + (tree.nodes.length - 1) + " ancestors" + (tree.truncated ? " (the nearest " + tree.limit + " shown)" : "");
    // Rows are generations (the founders on top); in a row, each node sits near its children.
    const byGeneration = new Map();
    tree.nodes.forEach((n) => { if (!byGeneration.has(n.generation)) byGeneration.set(n.generation, []); byGeneration.get(n.generation).push(n); });
    const x = new Map([[tree.root, 0]]), children = new Map();
    tree.edges.forEach((e) => { if (!children.has(e.parent)) children.set(e.parent, []); children.get(e.parent).push(e.child); });
    [...byGeneration.keys()].sort((a, b) => b - a).forEach((g) => {
      const row = byGeneration.get(g).filter((n) => n.id !== tree.root);
      const centre = (n) => { const xs = (children.get(n.id) || []).map((c) => x.get(c)).filter((v) => v !== undefined); return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0; };
      row.map((n) => [centre(n), n]).sort((a, b) => a[0] - b[0]).forEach(([, n], i) => x.set(n.id, i - (row.length - 1) / 2));
    });
    const node = new Map(tree.nodes.map((n) => [n.id, n]));
    // An immigrant is stored in its child's generation; it is drawn half a row above it, so that
    // the line to it is not lost along the children's own row.
    const rowOf = (n) => n.generation + (n.origin === "immigrant" ? 0.5 : 1);
    const traces = ["a", "b"].map((side) => {
      const xs = [], ys = [];
      tree.edges.filter((e) => e.side === side).forEach((e) => { xs.push(x.get(e.child), x.get(e.parent), null); ys.push(rowOf(node.get(e.child)), rowOf(node.get(e.parent)), null); });
      return { type: "scatter", mode: "lines", x: xs, y: ys, hoverinfo: "skip", showlegend: false, line: { width: 1, color: side === "a" ? "#4a6fa5" : "#e67e22" } };
    });
    traces.push({ type: "scatter", mode: "markers", showlegend: false, marker: { size: 7, opacity: 0, color: "#000" },
      x: tree.edges.map((e) => (x.get(e.child) + x.get(e.parent)) / 2),
      y: tree.edges.map((e) => (rowOf(node.get(e.child)) + rowOf(node.get(e.parent))) / 2),
      text: tree.edges.map((e) => "#" + e.parent + " → #" + e.child + " (parent " + e.side + ")<br>passed on: " + (e.traits.join(", ") || "none")), hoverinfo: "text" });
    const symbol = (n) => (n.id === tree.root ? "star" : n.origin === "immigrant" ? "diamond" : n.founder ? "square" : "circle");
    const colour = (n) => (n.id === tree.root ? "#d4a017" : n.origin === "immigrant" ? "#8e44ad" : n.founder ? "#7f8c8d" : "#4a6fa5");
    traces.push({ type: "scatter", mode: "markers+text", showlegend: false, x: tree.nodes.map((n) => x.get(n.id)), y: tree.nodes.map(rowOf),
      text: tree.nodes.map((n) => fmt(n.fitness, 3)), textposition: "middle right", textfont: { size: 11 }, customdata: tree.nodes.map((n) => n.id),
      hovertext: tree.nodes.map((n) => "#" + n.id + " · generation " + (n.generation + 1) + " · " + n.origin + (n.founder && n.origin !== "immigrant" ? " (founder)" : "") +
        "<br>fitness " + fmt(n.fitness) + (n.mutated.length ? "<br>mutated: " + n.mutated.join(", ") : "")), hoverinfo: "text",
      marker: { size: tree.nodes.map((n) => (n.id === tree.root ? 16 : 10)), symbol: tree.nodes.map(symbol), color: tree.nodes.map(colour),
        line: { width: 2, color: tree.nodes.map((n) => (n.mutated.length ? "#c0392b" : "#fff")) } } });
    const rows = byGeneration.size, widest = Math.max(...[...byGeneration.values()].map((r) => r.length));
    const div = document.getElementById("family-chart");
    Plotly.react(div, traces, layout({ height: Math.min(900, 120 + 46 * rows), hovermode: "closest",
      xaxis: { visible: false, range: [-(widest + 1) / 2, (widest + 1) / 2] },
      yaxis: { title: { text: "generation" }, autorange: "reversed", dtick: rows > 30 ? undefined : 1 } }), { displayModeBar: false });
    if (!div.dataset.wired) { div.on("plotly_click", (e) => { const id = e.points[0].customdata; if (id) { familyRoot = id; drawFamily(); } }); div.dataset.wired = "1"; }
  }

  async function openEntity(id) {
    const response = await fetch("/api/entities/" + id + "/", { credentials: "same-origin" });
    if (!response.ok) return;
    const e = await response.json();
    const body = document.getElementById("entity-body");
    body.innerHTML = "";
    body.appendChild(el("h2", "Entity #" + e.id));
    body.appendChild(el("p", "generation " + (e.generation + 1) + " · " + e.origin + " · " + e.status + " · fitness " + fmt(e.fitness) +
      " · accuracy " + fmt(e.accuracy) + " · " + (e.parameter_count === null ? "-" : e.parameter_count.toLocaleString("en")) + " parameters"));
    body.appendChild(el("p", "worker " + (e.worker || "-") + (e.gpu !== "" ? " · GPU " + e.gpu : e.worker ? " · CPU" : "") +
      " · attempts " + e.attempts + (e.train_seconds !== null ? " · trained in " + fmt(e.train_seconds, 1) + " s" : "")));
    if (e.error) body.appendChild(el("pre", e.error, { className: "errors" }));
    if (e.cached_from) { const p = body.appendChild(el("p", "same genome as ")); link(p, e.cached_from); }
    const tree = body.appendChild(el("p")).appendChild(el("a", "Draw its family tree", { href: "#family-card", id: "show-family" }));
    tree.addEventListener("click", () => { familyRoot = e.id; drawFamily(); document.getElementById("entity-dialog").close(); });
    const parents = body.appendChild(el("p", "parents: "));
    ["a", "b"].forEach((k) => { if (e.parents[k]) { link(parents, e.parents[k].id, k + ": #" + e.parents[k].id + " (fitness " + fmt(e.parents[k].fitness) + ")"); parents.append(" "); } });
    if (!e.parents.a) parents.append(e.origin === "offspring" ? "-" : "none (" + e.origin + ")");
    const table = body.appendChild(el("table"));
    const head = table.appendChild(el("tr"));
    ["trait", "value", "from"].forEach((h) => head.appendChild(el("th", h)));
    Object.entries(e.genome).forEach(([name, value]) => {
      const row = table.appendChild(el("tr"));
      row.appendChild(el("td", name));
      row.appendChild(el("td", String(value)));
      const source = e.inheritance[name];
      row.appendChild(el("td", source === "mutated" ? "mutated" : source ? "parent " + source : "-", { className: source === "mutated" ? "mutated" : "" }));
    });
    const curve = document.getElementById("entity-curve");
    const history = e.history || [];
    if (history.length) {
      const epochs = history.map((h) => h.epoch);
      const traces = ["accuracy", "val_accuracy"].filter((k) => k in history[0]).map((k) => ({ type: "scatter", mode: "lines+markers", name: k, x: epochs, y: history.map((h) => h[k]) }));
      Plotly.react(curve, traces, layout({ height: 220, xaxis: { title: { text: "epoch" }, dtick: 1 },
        yaxis: { title: { text: "accuracy" }, range: [0, 1.02] }, legend: { orientation: "h", y: -0.35 } }), { displayModeBar: false });
    } else { Plotly.purge(curve); }
    const dialog = document.getElementById("entity-dialog");
    if (!dialog.open) dialog.showModal();
  }

  function link(parent, id, text) {
    const a = parent.appendChild(el("a", text || "#" + id, { href: "#" }));
    a.addEventListener("click", (ev) => { ev.preventDefault(); openEntity(id); });
  }

  document.getElementById("leaderboard-previous").addEventListener("click", () => showBoardPage(boardOffset - PAGE));
  document.getElementById("leaderboard-next").addEventListener("click", () => showBoardPage(boardOffset + PAGE));
  ["cancel-form", "finish-form"].forEach((id) => {
    const form = document.getElementById(id);
    if (form) form.addEventListener("submit", (event) => { if (!window.confirm(form.dataset.confirm)) event.preventDefault(); });
  });
  slider.addEventListener("input", () => { sliderTouched = true; if (state) drawHistograms(); });
  overlay.addEventListener("change", () => { if (state) drawHistograms(); });
  poll();
})();
