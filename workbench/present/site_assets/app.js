// GE grünt workbench: static citizen site. Reads data/*.json, draws an SVG map, lists the
// ranked proposals. Citizen text only ever goes into textContent, never into HTML.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);
  const state = { lang: "de", district: "", category: "", near: null, radius: 1000,
                  shown: { heat: true, heat_hotspots: true } };
  let D = null; // loaded data
  let proj = null;
  let view = null; // current viewBox [x, y, w, h]

  function load(path) {
    return fetch(path, { credentials: "same-origin" }).then((r) => {
      if (!r.ok) throw new Error(path + ": HTTP " + r.status);
      return r.json();
    });
  }

  function tx(key) { return D.texts.texts[state.lang][key] || key; }
  // layers keep language-neutral legend labels: "0.5", "hotspot", an EAQI band name
  function legendLabel(lab) {
    if (lab === "hotspot") return tx("hotspot");
    const band = D.texts.texts[state.lang]["eaqi_" + lab];
    if (band) return band;
    if (/^-?\d+(\.\d+)?$/.test(lab)) {
      return Number(lab).toLocaleString(state.lang === "de" ? "de-DE" : "en-GB",
        { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    }
    return lab;
  }
  function cat(key) { return (D.texts.categories[state.lang] || {})[key] || key; }

  function fmtInt(x) {
    if (x === null || x === undefined || !isFinite(x)) return "–";
    return Math.round(x).toLocaleString(state.lang === "de" ? "de-DE" : "en-GB");
  }
  function fmtEur(x) {
    const s = fmtInt(x);
    return s === "–" ? s : (state.lang === "de" ? s + " €" : "€" + s);
  }
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svgEl(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }

  // ------------------------------------------------------------------ geometry
  function fold(s) {
    return s.toLowerCase().replace(/ß/g, "ss").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/str\.?(?=\s|$)/g, "strasse").replace(/\s+/g, " ").trim();
  }
  function distance(lat1, lon1, lat2, lon2) {
    const r = Math.PI / 180;
    const a = Math.sin((lat2 - lat1) * r / 2) ** 2 +
      Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin((lon2 - lon1) * r / 2) ** 2;
    return 2 * 6371000 * Math.asin(Math.sqrt(a));
  }
  function bounds() {
    let s = 90, w = 180, n = -90, e = -180;
    const add = (lon, lat) => { s = Math.min(s, lat); n = Math.max(n, lat);
                                w = Math.min(w, lon); e = Math.max(e, lon); };
    for (const f of D.districts.features) {
      const polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      for (const poly of polys) for (const ring of poly) for (const [lon, lat] of ring) add(lon, lat);
    }
    for (const p of D.proposals) if (p.lat !== null && p.lon !== null) add(p.lon, p.lat);
    return { s, w, n, e };
  }
  function makeProjection(b) {
    const k = Math.cos(((b.s + b.n) / 2) * Math.PI / 180);
    const scale = 1000 / ((b.e - b.w) * k);
    return {
      x: (lon) => (lon - b.w) * k * scale,
      y: (lat) => (b.n - lat) * scale,
      lon: (x) => b.w + x / (k * scale),
      lat: (y) => b.n - y / scale,
      width: 1000, height: (b.n - b.s) * scale, metresPerUnit: 111320 / scale,
    };
  }

  // ------------------------------------------------------------------ map
  function drawMap() {
    const svg = $("map");
    svg.textContent = "";
    view = [0, 0, proj.width, proj.height];
    svg.setAttribute("viewBox", view.join(" "));
    const layerGroup = svgEl("g", { id: "overlays" });
    for (const [key, L] of Object.entries(D.layers)) {
      const [[s, w], [n, e]] = L.bounds;
      const img = svgEl("image", { x: proj.x(w), y: proj.y(n), width: proj.x(e) - proj.x(w),
                                   height: proj.y(s) - proj.y(n), preserveAspectRatio: "none",
                                   "data-layer": key });
      img.setAttribute("href", L.file);
      layerGroup.appendChild(img);
    }
    svg.appendChild(layerGroup);
    const dg = svgEl("g", { id: "districts" });
    for (const f of D.districts.features) {
      const polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      let d = "";
      for (const poly of polys) for (const ring of poly) {
        d += ring.map(([lon, lat], i) => (i ? "L" : "M") + proj.x(lon).toFixed(1) + " " +
                      proj.y(lat).toFixed(1)).join("") + "Z";
      }
      const path = svgEl("path", { d, class: "district" });
      const t = svgEl("title"); t.textContent = f.properties.name; path.appendChild(t);
      dg.appendChild(path);
    }
    svg.appendChild(dg);
    svg.appendChild(svgEl("g", { id: "near" }));
    const pg = svgEl("g", { id: "proposals" });
    for (const p of D.proposals.slice().reverse()) {
      if (p.lat === null || p.lon === null) continue;
      const c = svgEl("circle", { cx: proj.x(p.lon), cy: proj.y(p.lat), r: 6,
                                  class: "proposal", fill: p.colour || "#999",
                                  "data-id": p.proposal_id, tabindex: 0 });
      const t = svgEl("title"); c.appendChild(t);
      c.addEventListener("click", (ev) => { ev.stopPropagation(); select(p.proposal_id); });
      c.addEventListener("keydown", (ev) => { if (ev.key === "Enter") select(p.proposal_id); });
      pg.appendChild(c);
    }
    svg.appendChild(pg);
    svg.addEventListener("click", (ev) => {
      const pt = toMap(ev);
      setNear(proj.lat(pt.y), proj.lon(pt.x));
    });
    let drag = null;
    svg.addEventListener("pointerdown", (ev) => { drag = { x: ev.clientX, y: ev.clientY, v: view.slice(), moved: false }; });
    svg.addEventListener("pointermove", (ev) => {
      if (!drag) return;
      const r = svg.getBoundingClientRect();
      const dx = (ev.clientX - drag.x) * view[2] / r.width, dy = (ev.clientY - drag.y) * view[3] / r.height;
      if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
      if (drag.moved) { view = [drag.v[0] - dx, drag.v[1] - dy, view[2], view[3]]; setView(); }
    });
    svg.addEventListener("pointerup", (ev) => { if (drag && drag.moved) ev.preventDefault(); setTimeout(() => { drag = null; }, 0); });
    svg.addEventListener("click", (ev) => { if (drag && drag.moved) ev.stopImmediatePropagation(); }, true);
    setView();
    window.addEventListener("resize", setView);
    svg.addEventListener("wheel", (ev) => { ev.preventDefault(); zoom(ev.deltaY < 0 ? 0.8 : 1.25, toMap(ev)); }, { passive: false });
  }
  function toMap(ev) {
    const svg = $("map");
    const r = svg.getBoundingClientRect();
    // preserveAspectRatio xMidYMid meet: the viewBox is scaled uniformly and centred
    const s = Math.min(r.width / view[2], r.height / view[3]);
    const ox = (r.width - view[2] * s) / 2, oy = (r.height - view[3] * s) / 2;
    return { x: view[0] + (ev.clientX - r.left - ox) / s, y: view[1] + (ev.clientY - r.top - oy) / s };
  }
  function setView() {
    const svg = $("map");
    svg.setAttribute("viewBox", view.map((v) => v.toFixed(1)).join(" "));
    // markers keep a constant size on screen (7 px) whatever the zoom
    const r = svg.getBoundingClientRect();
    const unitsPerPx = Math.max(view[2] / (r.width || 1), view[3] / (r.height || 1));
    for (const c of svg.querySelectorAll("circle.proposal")) c.setAttribute("r", (7 * unitsPerPx).toFixed(2));
  }
  function zoom(f, at) {
    const c = at || { x: view[0] + view[2] / 2, y: view[1] + view[3] / 2 };
    const w = Math.min(Math.max(view[2] * f, 60), proj.width * 2);
    const h = w * view[3] / view[2];
    view = [c.x - (c.x - view[0]) * w / view[2], c.y - (c.y - view[1]) * h / view[3], w, h];
    setView();
  }

  // ------------------------------------------------------------------ logic
  function visible() {
    return D.proposals.filter((p) => {
      if (state.district && p.area_id !== state.district) return false;
      if (state.category && p.category !== state.category) return false;
      if (state.near) {
        if (p.lat === null || p.lon === null) return false;
        p._dist = distance(state.near[0], state.near[1], p.lat, p.lon);
        if (p._dist > state.radius) return false;
      }
      return true;
    });
  }
  function setNear(lat, lon) {
    const b = D.bbox;
    if (!(lat >= b.s - 0.05 && lat <= b.n + 0.05 && lon >= b.w - 0.05 && lon <= b.e + 0.05)) {
      $("message").textContent = tx("click_outside");
      return;
    }
    state.near = [lat, lon];
    $("message").textContent = "";
    renderList();
  }
  function locate(text) {
    const q = fold(text.replace(/[\u0000-\u001f]/g, "")).slice(0, 120);
    if (q.length < 3) {
      $("message").textContent = tx("not_found") + ": " + tx("place_too_short");
      return;
    }
    for (const f of D.districts.features) {
      if (fold(f.properties.name) === q || f.properties.area_id === q) {
        const pts = D.proposals.filter((p) => p.area_id === f.properties.area_id && p.lat !== null);
        if (pts.length) {
          setNear(pts.reduce((a, p) => a + p.lat, 0) / pts.length,
                  pts.reduce((a, p) => a + p.lon, 0) / pts.length);
          return;
        }
      }
    }
    const street = q.replace(/\s*\d+\s*[a-z]?$/, "").trim();
    for (const p of D.proposals) {
      if (street && p.lat !== null && fold(p.title + " " + (p.description || "")).includes(street)) {
        setNear(p.lat, p.lon);
        return;
      }
    }
    $("message").textContent = tx("not_found") + ": " +
      tx("place_unknown").replace("{text}", text.replace(/[\u0000-\u001f]/g, "").slice(0, 120));
  }
  function select(id) {
    for (const li of $("list").children) li.classList.toggle("selected", li.dataset.id === id);
    const li = Array.from($("list").children).find((x) => x.dataset.id === id);
    if (li) { li.scrollIntoView({ block: "nearest" }); li.focus(); }
  }

  // ------------------------------------------------------------------ rendering
  function renderTexts() {
    document.documentElement.lang = state.lang;
    $("lang-de").setAttribute("aria-pressed", String(state.lang === "de"));
    $("lang-en").setAttribute("aria-pressed", String(state.lang === "en"));
    $("title").textContent = tx("citizen_title");
    document.title = tx("citizen_title");
    $("skip").textContent = state.lang === "de" ? "Zur Liste springen" : "Skip to the list";
    $("banner").hidden = !D.meta.simulated;
    $("banner").textContent = tx("simulated");
    $("map-label").textContent = tx("map_label") + ". " + tx("map_hint");
    $("district-label").textContent = tx("district");
    $("category-label").textContent = tx("category");
    $("address-label").textContent = tx("near_me");
    $("address").placeholder = tx("address");
    $("search").textContent = tx("search");
    $("reset").textContent = tx("reset");
    $("layers-legend").textContent = tx("map_label");
    const dsel = $("district");
    dsel.textContent = "";
    dsel.appendChild(el("option", { value: "" }, tx("all_districts")));
    const ds = D.districts.features.map((f) => f.properties).sort((a, b) => a.name.localeCompare(b.name));
    for (const d of ds) dsel.appendChild(el("option", { value: d.area_id }, d.name));
    dsel.value = state.district;
    const csel = $("category");
    csel.textContent = "";
    csel.appendChild(el("option", { value: "" }, tx("all_categories")));
    const cats = Array.from(new Set(D.proposals.map((p) => p.category))).sort((a, b) => cat(a).localeCompare(cat(b)));
    for (const c of cats) csel.appendChild(el("option", { value: c }, cat(c)));
    csel.value = state.category;
    const fs = $("layers");
    for (const l of Array.from(fs.querySelectorAll("label"))) l.remove();
    const legends = $("legends");
    legends.textContent = "";
    for (const [key, L] of Object.entries(D.layers)) {
      const id = "layer-" + key;
      const label = el("label", { for: id });
      const box = el("input", { type: "checkbox", id });
      box.checked = !!state.shown[key];
      box.addEventListener("change", () => { state.shown[key] = box.checked; renderLayers(); });
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + tx("layer_" + key)));
      fs.appendChild(label);
      const lg = el("div", { class: "legend" });
      lg.appendChild(el("strong", {}, tx("layer_" + key) + (L.unit ? " (" + L.unit + ")" : "") + ": "));
      for (const [colour, lab] of L.legend) {
        const sw = el("span", { class: "swatch" });
        sw.style.background = colour;
        lg.appendChild(sw);
        lg.appendChild(document.createTextNode(legendLabel(lab)));
      }
      legends.appendChild(lg);
    }
    const about = $("about-body");
    about.textContent = "";
    $("about-title").textContent = tx("about_data");
    if (D.meta.simulated) about.appendChild(el("p", { class: "banner" }, tx("simulated")));
    about.appendChild(el("p", {}, tx("about_text")));
    about.appendChild(el("p", {}, tx("caveat_lowcost")));
    if (D.meta.latest_data) {
      about.appendChild(el("p", {}, tx("latest_data") + ": " + D.meta.latest_data + " · " +
                                    tx("run") + " " + D.meta.run_id));
    }
    if (D.meta.sensors) about.appendChild(el("p", {}, tx("sensors") + ": " + fmtInt(D.meta.sensors)));
    for (const c of document.querySelectorAll("circle.proposal")) {
      const p = D.byId[c.dataset.id];
      c.firstChild.textContent = tx("rank") + " " + p.rank + ": " + p.title;
    }
    renderLayers();
    renderList();
  }
  function renderLayers() {
    for (const img of document.querySelectorAll("#overlays image")) {
      img.setAttribute("visibility", state.shown[img.dataset.layer] ? "visible" : "hidden");
    }
  }
  function renderList() {
    const vis = visible();
    const ids = new Set(vis.map((p) => p.proposal_id));
    for (const c of document.querySelectorAll("circle.proposal")) c.classList.toggle("dim", !ids.has(c.dataset.id));
    const ng = $("near");
    ng.textContent = "";
    if (state.near) {
      const r = state.radius / proj.metresPerUnit;
      ng.appendChild(svgEl("circle", { cx: proj.x(state.near[1]), cy: proj.y(state.near[0]), r: r, class: "near" }));
    }
    const total = D.proposals.length;
    $("count").textContent = vis.length + " / " + total + " " + tx("shown") +
      (state.near ? " · " + tx("near_point") + " (" + state.radius + " m)" : "");
    const list = $("list");
    list.textContent = "";
    if (!vis.length) { list.appendChild(el("li", {}, tx("no_proposals"))); return; }
    for (const p of vis) {
      const li = el("li", { "data-id": p.proposal_id, tabindex: "-1", class: "proposal-item" });
      const rank = el("span", { class: "rank" }, String(p.rank));
      rank.style.borderColor = p.colour || "#999";
      li.appendChild(rank);
      li.appendChild(el("strong", { class: "title" }, p.title));
      const votes = p.votes_hidden ? tx("few_votes") : fmtInt(p.votes);
      const range = p.rank_lo !== null ? " (" + tx("rank_range") + " " + p.rank_lo + "–" + p.rank_hi + ")" : "";
      const dist = state.near && p._dist !== undefined ? " · " + fmtInt(p._dist) + " m" : "";
      li.appendChild(el("div", { class: "meta" }, tx("rank") + " " + p.rank + " / " + total + range +
        " · " + cat(p.category) + " · " + (p.district || "") + " · " + fmtEur(p.cost_eur) + " · " +
        tx("votes") + ": " + votes + dist));
      li.appendChild(el("div", { class: "why" }, state.lang === "de" ? p.explanation_de : p.explanation_en));
      list.appendChild(li);
    }
  }

  // ------------------------------------------------------------------ start
  function wire() {
    $("lang-de").addEventListener("click", () => { state.lang = "de"; renderTexts(); });
    $("lang-en").addEventListener("click", () => { state.lang = "en"; renderTexts(); });
    $("district").addEventListener("change", (ev) => { state.district = ev.target.value; renderList(); });
    $("category").addEventListener("change", (ev) => { state.category = ev.target.value; renderList(); });
    $("search").addEventListener("click", () => locate($("address").value));
    $("address").addEventListener("keydown", (ev) => { if (ev.key === "Enter") locate($("address").value); });
    $("reset").addEventListener("click", () => {
      state.district = ""; state.category = ""; state.near = null; $("address").value = "";
      $("message").textContent = ""; $("district").value = ""; $("category").value = ""; renderList();
    });
    $("zoom-in").addEventListener("click", () => zoom(0.7));
    $("zoom-out").addEventListener("click", () => zoom(1.4));
  }

  Promise.all(["data/proposals.json", "data/districts.geojson", "data/layers.json",
               "data/texts.json", "data/meta.json"].map(load))
    .then(([proposals, districts, layers, texts, meta]) => {
      D = { proposals, districts, layers, texts, meta, byId: {} };
      for (const p of proposals) D.byId[p.proposal_id] = p;
      const params = new URLSearchParams(window.location.search);
      if (params.get("lang") === "en") state.lang = "en";
      D.bbox = bounds();
      proj = makeProjection(D.bbox);
      drawMap();
      wire();
      renderTexts();
      document.body.dataset.ready = "true";
    })
    .catch((err) => { $("message").textContent = "Daten konnten nicht geladen werden / data could not be loaded: " + err.message; });
})();
