// The search form's editor. The JSON spec in the form's textarea is the source of truth: the
// editor reads it, shows it as fields and trait rows, and writes every change back to it.
// Without JavaScript, the textarea alone makes the same spec.
(function () {
  "use strict";
  const form = document.getElementById("search-form");
  const textarea = form.querySelector("textarea[name=spec]");
  const editor = document.getElementById("editor");
  const rows = document.getElementById("trait-rows");
  const errors = JSON.parse(document.getElementById("spec-errors").textContent || "{}");
  const PREVIEW_URL = "/api/space-preview/";
  const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const TYPES = ["bool", "int", "float", "geometric_float", "geometric_int", "choice"];
  const FIELDS = { bool: [], choice: ["choices"], int: ["low", "high", "step"], float: ["low", "high", "step"],
    geometric_float: ["low", "high", "step"], geometric_int: ["low", "high", "step"] };
  const TUTORIAL = JSON.parse(document.getElementById("tutorial-genome").textContent || "{}");
  const seedTutorial = document.getElementById("seed-tutorial");
  let spec = {};
  // The traits as the server judged them (the spec it sent back with ``errors``): its verdict on a
  // trait (an unknown keras trait, say) stands beside that trait until the trait is edited, since
  // the previews judge only the space.
  let judged = null;

  function parse() {
    try { spec = JSON.parse(textarea.value || "{}"); } catch (e) { return false; }
    // Only an object can be edited field by field; anything else stays in the JSON box.
    return spec !== null && typeof spec === "object" && !Array.isArray(spec);
  }

  function get(path) {
    return path.split(".").reduce((obj, key) => (obj == null ? undefined : obj[key]), spec);
  }

  function set(path, value) {
    const keys = path.split(".");
    let obj = spec;
    keys.slice(0, -1).forEach((key) => { if (typeof obj[key] !== "object" || obj[key] === null) obj[key] = {}; obj = obj[key]; });
    const last = keys[keys.length - 1];
    if (value === undefined) delete obj[last]; else obj[last] = value;
  }

  function readInput(input) {
    const kind = input.dataset.kind;
    if (kind === "bool") return input.checked;
    if (input.value.trim() === "") return input.dataset.path === "training.max_train_samples" ? null : undefined;
    if (kind === "int" || kind === "float") { const n = Number(input.value); return Number.isFinite(n) ? n : input.value; }
    return input.value;
  }

  function write() {
    textarea.value = JSON.stringify(spec, null, 2);
    refreshPreviews();
  }

  function fillFields() {
    editor.querySelectorAll("[data-path]").forEach((input) => {
      if (input.closest("#trait-rows")) return;
      const value = get(input.dataset.path);
      if (input.dataset.kind === "bool") input.checked = Boolean(value);
      // A setting the spec leaves out shows the value that will run (data-default), not a blank.
      else if ((value === undefined || value === null) && input.dataset.default) input.value = input.dataset.default;
      else input.value = value === undefined || value === null ? "" : value;
    });
    seedTutorial.checked = (get("ga.seed_genomes") || []).some(isTutorial);
  }

  // "tutorial", or the tutorial's values as the stored spec has them (every trait of the space).
  function isTutorial(seed) {
    if (seed === "tutorial") return true;
    if (seed === null || typeof seed !== "object") return false;
    const names = Object.keys(seed);
    const complete = names.length > 0 && names.length === (spec.traits || []).length;
    return complete && names.every((name) => name in TUTORIAL && TUTORIAL[name] === seed[name]);
  }

  function traitRow(trait, index) {
    const row = document.createElement("div");
    row.className = "trait";
    row.dataset.index = index;
    const field = (name, label, value, attrs) => {
      const wrap = document.createElement("label");
      wrap.className = "field-" + name;
      wrap.textContent = label + " ";
      const input = document.createElement("input");
      Object.assign(input, attrs || {});
      input.value = value === undefined || value === null ? "" : Array.isArray(value) ? value.join(", ") : value;
      input.dataset.field = name;
      input.dataset.path = "traits[" + index + "]." + name;
      wrap.appendChild(input);
      return wrap;
    };
    row.appendChild(field("name", "Name", trait.name, { size: 16, placeholder: "learning_rate" }));
    const typeLabel = document.createElement("label");
    typeLabel.textContent = "Type ";
    const select = document.createElement("select");
    select.dataset.field = "type";
    select.dataset.path = "traits[" + index + "].type";
    TYPES.forEach((t) => { const o = document.createElement("option"); o.value = o.textContent = t; select.appendChild(o); });
    select.value = TYPES.includes(trait.type) ? trait.type : "float";
    typeLabel.appendChild(select);
    row.appendChild(typeLabel);
    FIELDS[select.value].forEach((name) => {
      const attrs = name === "choices" ? { size: 28, placeholder: "sgd, adam" } : { type: "number", step: "any", size: 8 };
      row.appendChild(field(name, name, trait[name], attrs));
    });
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "light remove";
    remove.textContent = "Remove";
    remove.addEventListener("click", () => { spec.traits.splice(index, 1); write(); renderTraits(); });
    row.appendChild(remove);
    const preview = document.createElement("div");
    preview.className = "preview";
    row.appendChild(preview);
    const problems = document.createElement("div");
    problems.className = "errors-inline";
    problems.dataset.errorFor = "traits[" + index + "]";
    row.appendChild(problems);
    row.addEventListener("change", (event) => updateTrait(index, event.target));
    return row;
  }

  function updateTrait(index, input) {
    const trait = spec.traits[index];
    const name = input.dataset.field;
    if (!name) return;
    if (name === "type") {
      const fresh = { name: trait.name, type: input.value };
      if (input.value === "choice") fresh.choices = ["a", "b"];
      else if (input.value !== "bool") Object.assign(fresh, input.value.startsWith("geometric") ? { low: 1, high: 100 } : { low: 0, high: 1 });
      spec.traits[index] = fresh;
      write();
      renderTraits();
      return;
    }
    if (name === "choices") {
      trait.choices = input.value.split(",").map((s) => s.trim()).filter((s) => s !== "").map(choiceValue);
    } else if (name === "name") {
      trait.name = input.value.trim();
    } else if (input.value.trim() === "") {
      delete trait[name];
    } else {
      const n = Number(input.value);
      trait[name] = Number.isFinite(n) ? n : input.value;
    }
    write();
  }

  function choiceValue(text) {
    if (text === "true") return true;
    if (text === "false") return false;
    const n = Number(text);
    return text !== "" && Number.isFinite(n) ? n : text;
  }

  function renderTraits() {
    rows.innerHTML = "";
    (spec.traits || []).forEach((trait, index) => rows.appendChild(traitRow(trait, index)));
    showErrors(errors);
    refreshPreviews();
  }

  // --- Distribution previews and the combination count, from the server ----------------
  // The server's own trait classes compute them (POST /api/space-preview/), so what the editor
  // previews is exactly what the search will sample, and a trait's errors show as it is typed.

  let previewTimer = null;
  let previewAsked = 0;

  function refreshPreviews() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(async () => {
      const asked = ++previewAsked;
      let data;
      try {
        const response = await fetch(PREVIEW_URL, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
          body: JSON.stringify({ traits: spec.traits || [] }),
        });
        if (!response.ok) return;
        data = await response.json();
      } catch (e) { return; } // offline a moment: the next edit asks again
      if (asked !== previewAsked) return; // a newer edit has asked since
      rows.querySelectorAll(".trait").forEach((row, index) => drawPreview(row.querySelector(".preview"), data.traits[index]));
      showCombinations(data);
      // The traits' errors as they are now; the other fields' errors as the server last judged them,
      // and its verdict on each trait not edited since.
      const unedited = (path) => {
        const index = /^traits\[(\d+)\]/.exec(path);
        return index !== null && judged !== null && judged[index[1]] === JSON.stringify((spec.traits || [])[index[1]]);
      };
      const kept = Object.entries(errors).filter(([path]) => !path.startsWith("traits") || (unedited(path) && !(path in data.errors)));
      showErrors(Object.fromEntries(kept.concat(Object.entries(data.errors))));
    }, 250);
  }

  function drawPreview(div, law) {
    if (!window.Plotly) return;
    if (!law) { Plotly.purge(div); div.textContent = ""; return; }
    const categorical = law.axis === "category";
    Plotly.react(div, [{ type: "bar", x: law.x, y: law.p, marker: { color: "#4a6fa5" } }], {
      margin: { l: 4, r: 4, t: 4, b: 20 }, height: 70, width: 220, bargap: 0.05,
      xaxis: { type: law.axis, tickfont: { size: 9 }, categoryorder: categorical ? "array" : undefined,
        categoryarray: categorical ? law.x : undefined },
      yaxis: { visible: false },
    }, { staticPlot: true });
  }

  function showCombinations(data) {
    const el = document.getElementById("combinations");
    const traits = spec.traits || [];
    if (traits.length === 0) el.textContent = "";
    else if (Object.keys(data.errors).length) el.textContent = "· fix the traits marked below to count the combinations";
    else if (data.combinations === null) el.textContent = "· unbounded (a continuous trait)";
    else el.textContent = "· " + data.combinations.toLocaleString("en") + " combinations";
  }

  // --- Errors from the server, next to the field that caused them ---------------------

  function showErrors(shown) {
    // The editor's own notes only: the upload's reason is the server's, written into the page.
    editor.querySelectorAll(".field-error").forEach((e) => e.remove());
    editor.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
    Object.entries(shown).forEach(([path, messages]) => {
      const quoted = (p) => '"' + CSS.escape(p) + '"';
      const target = editor.querySelector("[data-path=" + quoted(path) + "]")
        || editor.querySelector("[data-error-for=" + quoted(path) + "]")
        || editor.querySelector("[data-error-for=" + quoted(path.replace(/\.[a-z_]+$/, "")) + "]")
        || editor.querySelector("[data-error-for=" + quoted(path.split("[")[0]) + "]");
      if (!target) return;
      const note = document.createElement("span");
      note.className = "field-error";
      note.textContent = messages.join("; ");
      (target.tagName === "DIV" ? target : target.closest("label") || target).appendChild(note);
      if (target.classList) target.classList.add("invalid");
    });
  }

  // --- Wiring ---------------------------------------------------------------------------

  function load() {
    if (!parse()) { alert("The JSON does not parse: fix it in the box first."); return; }
    if (!Array.isArray(spec.traits)) spec.traits = [];
    fillFields();
    keepWithinPopulation();
    renderTraits();
  }

  // The parents and confirmations are counted within the population: a smaller population
  // brings them down with it (and bounds their inputs), so a preset made smaller stays valid.
  const WITHIN_POPULATION = ["ga.elite_previous", "ga.elite_all_time", "ga.immigrants", "ga.confirm"];
  function keepWithinPopulation() {
    const population = get("ga.population");
    if (!Number.isInteger(population) || population < 2) return;
    WITHIN_POPULATION.forEach((path) => {
      const input = editor.querySelector('[data-path="' + path + '"]');
      if (input) input.max = String(population);
      const value = get(path);
      if (Number.isInteger(value) && value > population) { set(path, population); if (input) input.value = population; }
    });
  }

  editor.addEventListener("change", (event) => {
    const input = event.target;
    if (!input.dataset.path || input.closest("#trait-rows")) return;
    set(input.dataset.path, readInput(input));
    if (input.dataset.path === "ga.population") keepWithinPopulation();
    if (input.dataset.path === "training.early_stopping.rule") {
      // "none" drops the whole setting; the median rule has no reduction (nor resource), successive halving no warm-up.
      if (!input.value && spec.training) delete spec.training.early_stopping;
      else if (input.value === "median") {
        ["reduction", "resource", "image_rungs", "promotion"].forEach((key) => delete spec.training.early_stopping[key]);
      }
      else delete spec.training.early_stopping.warmup;
      fillFields();
    }
    write();
  });
  seedTutorial.addEventListener("change", () => {
    const others = (get("ga.seed_genomes") || []).filter((seed) => !isTutorial(seed));
    const seeds = seedTutorial.checked ? ["tutorial", ...others] : others;
    set("ga.seed_genomes", seeds.length ? seeds : undefined);
    write();
  });
  document.getElementById("add-trait").addEventListener("click", () => {
    spec.traits = spec.traits || [];
    spec.traits.push({ name: "trait_" + (spec.traits.length + 1), type: "float", low: 0, high: 1 });
    write();
    renderTraits();
  });
  document.getElementById("load-json").addEventListener("click", load);

  if (parse()) {
    editor.hidden = false;
    judged = (Array.isArray(spec.traits) ? spec.traits : []).map((trait) => JSON.stringify(trait));
    load();
  } else {
    document.getElementById("json-box").open = true; // a pasted spec that does not parse: show it as it is
  }
})();
