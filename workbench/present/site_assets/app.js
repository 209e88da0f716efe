// GE grünt workbench: static citizen site. Reads data/*.json, draws an SVG map, lists the
// ranked proposals. Citizen text only ever goes into textContent, never into HTML.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const PAGE = 10; // proposals shown at first; "more" adds this many
  const $ = (id) => document.getElementById(id);
  const state = { lang: "de", district: "", category: "", sort: "value", near: null,
                  nearLabel: "", selected: null, limit: PAGE, shown: { heat: true, heat_hotspots: true } };
  let D = null; // loaded data
  let proj = null;
  let view = null; // current viewBox [x, y, w, h]

  function load(path, optional) {
    return fetch(path, { credentials: "same-origin" }).then((r) => {
      if (!r.ok) {
        if (optional) return null;
        throw new Error(path + ": HTTP " + r.status);
      }
      return r.json();
    });
  }

  const loc = () => (state.lang === "de" ? "de-DE" : "en-GB");
  function tx(key, values) {
    let s = D.texts.texts[state.lang][key] || key;
    for (const [k, v] of Object.entries(values || {})) s = s.split("{" + k + "}").join(String(v));
    return s;
  }
  // layers keep language-neutral legend labels: "0.5", "hotspot", an EAQI band name
  function legendLabel(lab) {
    if (lab === "hotspot") return tx("hotspot_plain");
    const band = D.texts.texts[state.lang]["eaqi_" + lab.replace(/ /g, "_")];
    if (band) return band;
    const m = lab.match(/^(<=|>=)?(-?\d+(\.\d+)?)$/);
    if (m) {
      const n = Number(m[2]).toLocaleString(loc(), { minimumFractionDigits: 1, maximumFractionDigits: 1 });
      return (m[1] === "<=" ? "≤ " : m[1] === ">=" ? "≥ " : "") + n.replace("-", "−");
    }
    return lab;
  }
  function cat(key) { return (D.texts.categories[state.lang] || {})[key] || key; }
  function fmtInt(x) {
    if (x === null || x === undefined || !isFinite(x)) return "–";
    return Math.round(x).toLocaleString(loc());
  }
  function fmtEur(x) {
    const s = fmtInt(x);
    return s === "–" ? s : (state.lang === "de" ? s + "\u00a0€" : "€" + s); // no break before €
  }
  function fmtDist(m) {
    if (m < 1000) return fmtInt(Math.round(m / 10) * 10) + "\u00a0m";
    return (m / 1000).toLocaleString(loc(), { maximumFractionDigits: 1 }) + "\u00a0km";
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
  function safeUrl(u) { return /^https?:\/\/[^\s"'<>`\\]+$/.test(u || "") ? u : ""; }

  // ------------------------------------------------------------------ search
  // The same rules as workbench.addresses.normalise (see its docstring).
  function normalise(s) {
    s = s.normalize("NFC").toLowerCase().replace(/ß/g, "ss").replace(/ä/g, "ae")
      .replace(/ö/g, "oe").replace(/ü/g, "ue").normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
    s = s.replace(/str\./g, "strasse ");
    s = s.replace(/[\-.,]/g, " ");
    s = s.replace(/str\b/g, "strasse");
    s = s.replace(/\s+/g, " ").trim();
    return s.replace(/\b(\d+) ([a-z])\b/g, "$1$2");
  }
  window.__normalise = normalise; // for the test comparing it with workbench.addresses
  window.__needWord = (v) => needWord(v); // and this one with need_word
  window.__findPlace = (t) => findPlace(t); // and the place search with the Voila page's
  function distance(lat1, lon1, lat2, lon2) {
    const r = Math.PI / 180;
    const a = Math.sin((lat2 - lat1) * r / 2) ** 2 +
      Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin((lon2 - lon1) * r / 2) ** 2;
    return 2 * 6371000 * Math.asin(Math.sqrt(a));
  }
  function buildIndex() {
    const A = D.addresses;
    const idx = { streets: new Map(), postcodes: new Map() };
    if (!A) return idx;
    const names = A.streets.map((x) => normalise(x).replace(/ /g, ""));
    for (const [si, hn, pc, la, lo] of A.rows) {
      const key = names[si];
      if (!idx.streets.has(key)) idx.streets.set(key, { name: A.streets[si], houses: new Map(), sum: [0, 0, 0] });
      const st = idx.streets.get(key);
      st.houses.set(normalise(String(hn)).replace(/ /g, ""), [la / 1e5, lo / 1e5, String(hn), pc]);
      st.sum[0] += la / 1e5; st.sum[1] += lo / 1e5; st.sum[2] += 1;
      if (!idx.postcodes.has(pc)) idx.postcodes.set(pc, [0, 0, 0]);
      const p = idx.postcodes.get(pc); p[0] += la / 1e5; p[1] += lo / 1e5; p[2] += 1;
    }
    return idx;
  }
  function centre(sum) { return [sum[0] / sum[2], sum[1] / sum[2]]; }
  // -> {label, lat, lon} or null
  function findPlace(text) {
    const q = normalise(text);
    if (/^\d{5}$/.test(q) && D.index.postcodes.has(q)) {
      const [la, lo] = centre(D.index.postcodes.get(q));
      return { label: q, lat: la, lon: lo };
    }
    for (const f of D.districts.features) {
      if (normalise(f.properties.name) === q) {
        const c = D.districtCentre[f.properties.area_id];
        return { label: f.properties.name, lat: c[0], lon: c[1] };
      }
    }
    const m = q.match(/^(.*\D) (\d+[a-z]?)$/) || [q, q, ""];
    const streetQ = m[1].replace(/ /g, ""), number = m[2];
    let st = D.index.streets.get(streetQ);
    if (!st && streetQ.length >= 3) { // a prefix: the first street in alphabetical order
      const hits = Array.from(D.index.streets.keys()).filter((k) => k.startsWith(streetQ)).sort();
      if (hits.length) st = D.index.streets.get(hits[0]);
    }
    if (st) {
      if (number) {
        let h = st.houses.get(number);
        if (!h) { // nearest house number on that street
          const n = parseInt(number, 10);
          let best = null;
          for (const [k, v] of st.houses) {
            const d = Math.abs(parseInt(k, 10) - n);
            if (best === null || d < best[0]) best = [d, v];
          }
          h = best[1];
        }
        return { label: st.name + " " + h[2] + ", " + h[3], lat: h[0], lon: h[1] };
      }
      const [la, lo] = centre(st.sum);
      return { label: st.name, lat: la, lon: lo };
    }
    return null;
  }
  // the message at the search box, kept as a text key so a language switch re-words it
  function say(key, values, ok) {
    state.message = key ? { key, values: values || {}, ok: !!ok } : null;
    showMessage();
  }
  function showMessage() {
    const m = $("message"), msg = state.message;
    m.textContent = msg ? tx(msg.key, msg.values) : "";
    m.classList.toggle("ok", !!(msg && msg.ok));
  }
  function locate(text) {
    const clean = text.replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, 120);
    if (normalise(clean).length < 3) {
      clearNear();
      say("place_too_short");
      return;
    }
    const hit = findPlace(clean);
    if (!hit) {
      clearNear();
      say("place_unknown", { text: clean });
      return;
    }
    setNear(hit.lat, hit.lon, hit.label);
  }
  function setNear(lat, lon, label, kind) {
    const b = D.bbox;
    if (!(lat >= b.s - 0.05 && lat <= b.n + 0.05 && lon >= b.w - 0.05 && lon <= b.e + 0.05)) {
      clearNear();
      say(kind === "geo" ? "geo_outside" : "click_outside");
      return;
    }
    state.near = [lat, lon];
    state.nearLabel = label;
    state.sort = "distance";
    renderSort();
    say(kind === "map" ? "sorted_from_point" : "found_place", { label }, true);
    renderList();
    if (kind !== "map") $("list-title").scrollIntoView({ block: "start", behavior: "smooth" });
  }
  function clearNear() {
    state.near = null;
    state.nearLabel = "";
    if (state.sort === "distance") state.sort = "value";
    renderSort();
    renderList();
  }

  // ------------------------------------------------------------------ geometry
  function bounds() {
    let s = 90, w = 180, n = -90, e = -180;
    const add = (lon, lat) => { s = Math.min(s, lat); n = Math.max(n, lat);
                                w = Math.min(w, lon); e = Math.max(e, lon); };
    for (const f of D.districts.features) {
      for (const poly of polygons(f)) for (const ring of poly) for (const [lon, lat] of ring) add(lon, lat);
    }
    if (n < s) for (const p of D.proposals) if (p.lat !== null && p.lon !== null) add(p.lon, p.lat);
    return { s, w, n, e };
  }
  function polygons(f) { return f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates; }
  // Web Mercator, so background tiles and overlays line up
  function mercY(lat) { const r = lat * Math.PI / 180; return Math.log(Math.tan(Math.PI / 4 + r / 2)); }
  function makeProjection(b) {
    const k = 1000 / ((b.e - b.w) * Math.PI / 180);
    const top = mercY(b.n);
    return {
      x: (lon) => (lon - b.w) * Math.PI / 180 * k,
      y: (lat) => (top - mercY(lat)) * k,
      lon: (x) => b.w + x / k * 180 / Math.PI,
      lat: (y) => (2 * Math.atan(Math.exp(top - y / k)) - Math.PI / 2) * 180 / Math.PI,
      width: 1000, height: (top - mercY(b.s)) * k,
      metresPerUnit: 6378137 / k * Math.cos(((b.s + b.n) / 2) * Math.PI / 180),
    };
  }
  // the visual centre of a district: the middle of its widest horizontal run
  function labelPoint(f) {
    let best = null;
    for (const poly of polygons(f)) {
      const ring = poly[0];
      let s = 90, n = -90;
      for (const [, lat] of ring) { s = Math.min(s, lat); n = Math.max(n, lat); }
      for (let i = 1; i < 8; i++) {
        const lat = s + (n - s) * i / 8;
        const xs = [];
        for (let j = 0; j < ring.length - 1; j++) {
          const [x1, y1] = ring[j], [x2, y2] = ring[j + 1];
          if ((y1 <= lat) !== (y2 <= lat)) xs.push(x1 + (lat - y1) * (x2 - x1) / (y2 - y1));
        }
        xs.sort((a, b) => a - b);
        for (let j = 0; j + 1 < xs.length; j += 2) {
          const wdt = xs[j + 1] - xs[j];
          if (!best || wdt > best[0]) best = [wdt, lat, (xs[j] + xs[j + 1]) / 2];
        }
      }
    }
    return best ? [best[1], best[2]] : null;
  }

  // ------------------------------------------------------------------ map
  function drawTiles(g) {
    const url = safeUrl((D.site.tiles || "").replace(/[{}]/g, "")) ? D.site.tiles : "";
    if (!url) return;
    const b = D.bbox;
    const z = Math.max(10, Math.min(15, Math.round(Math.log2(360 / (b.e - b.w) * 2.5))));
    const n = 2 ** z;
    const tx0 = Math.floor((b.w + 180) / 360 * n), tx1 = Math.floor((b.e + 180) / 360 * n);
    const ty = (lat) => Math.floor((1 - mercY(lat) / Math.PI) / 2 * n);
    const tileLon = (x) => x / n * 360 - 180;
    const tileLat = (y) => Math.atan(Math.sinh(Math.PI * (1 - 2 * y / n))) * 180 / Math.PI;
    for (let x = tx0; x <= tx1; x++) {
      for (let y = ty(b.n); y <= ty(b.s); y++) {
        const href = url.replace("{z}", z).replace("{x}", x).replace("{y}", y).replace("{s}", "abc"[(x + y) % 3]);
        const x0 = proj.x(tileLon(x)), x1 = proj.x(tileLon(x + 1));
        const y0 = proj.y(tileLat(y)), y1 = proj.y(tileLat(y + 1));
        const img = svgEl("image", { x: x0, y: y0, width: x1 - x0, height: y1 - y0,
                                     preserveAspectRatio: "none", class: "tile" });
        img.setAttribute("href", href);
        g.appendChild(img);
      }
    }
    const a = $("attribution");
    a.textContent = D.site.tiles_attribution;
    a.hidden = false;
  }
  let lastPointer = "mouse";
  function drawMap() {
    const svg = $("map");
    for (const c of Array.from(svg.childNodes)) if (c.id !== "map-alt") c.remove();
    view = [0, 0, proj.width, proj.height];
    const tiles = svgEl("g", { id: "tiles" });
    drawTiles(tiles);
    svg.appendChild(tiles);
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
    // main streets under the boundaries: a grey casing with a white line
    const sg = svgEl("g", { id: "streets" });
    const line = (coords) => coords.map(([lon, lat], i) => (i ? "L" : "M") +
      proj.x(lon).toFixed(1) + " " + proj.y(lat).toFixed(1)).join("");
    for (const f of (D.streets && D.streets.features) || []) {
      const g = f.geometry;
      const parts = g.type === "LineString" ? [g.coordinates] : g.type === "MultiLineString" ? g.coordinates : [];
      const d = parts.map(line).join("");
      if (!d) continue;
      sg.appendChild(svgEl("path", { d, class: "street-casing" }));
      sg.appendChild(svgEl("path", { d, class: "street" }));
    }
    svg.appendChild(sg);
    const dg = svgEl("g", { id: "districts" });
    const names = svgEl("g", { id: "district-names" });
    const size = (f) => { // bounding-box area, enough to put large districts' names first
      let s = 90, w = 180, n = -90, e = -180;
      for (const poly of polygons(f)) for (const [lon, lat] of poly[0]) {
        s = Math.min(s, lat); n = Math.max(n, lat); w = Math.min(w, lon); e = Math.max(e, lon);
      }
      return (n - s) * (e - w);
    };
    for (const f of D.districts.features.slice().sort((a, b) => size(b) - size(a))) {
      let d = "";
      for (const poly of polygons(f)) for (const ring of poly) {
        d += ring.map(([lon, lat], i) => (i ? "L" : "M") + proj.x(lon).toFixed(1) + " " +
                      proj.y(lat).toFixed(1)).join("") + "Z";
      }
      dg.appendChild(svgEl("path", { d, class: "district" }));
      const c = D.districtCentre[f.properties.area_id];
      if (c) {
        const t = svgEl("text", { x: proj.x(c[1]), y: proj.y(c[0]), class: "district-name",
                                  "aria-hidden": "true" });
        t.textContent = f.properties.name;
        names.appendChild(t);
      }
    }
    svg.appendChild(dg);
    svg.appendChild(svgEl("g", { id: "near" }));
    const pg = svgEl("g", { id: "proposals" });
    // the best-ranked on top; dots are not tab stops: the list is the keyboard way in
    for (const p of D.proposals.slice().reverse()) {
      if (p.lat === null || p.lon === null) continue;
      const c = svgEl("circle", { cx: proj.x(p.lon), cy: proj.y(p.lat), r: 6,
                                  class: "proposal", fill: p.colour || "#999",
                                  "data-id": p.proposal_id });
      c.addEventListener("click", (ev) => { ev.stopPropagation(); select(p.proposal_id, true); });
      pg.appendChild(c);
    }
    svg.appendChild(names); // under the dots, so a name never hides a proposal
    svg.appendChild(pg);
    svg.appendChild(svgEl("g", { id: "selected-label" }));
    svg.addEventListener("click", (ev) => {
      if (lastPointer === "touch" && !$("map-wrap").classList.contains("active")) {
        $("map-wrap").classList.add("active"); // a tap wakes the map; then it pans
        return;
      }
      const pt = toMap(ev);
      setNear(proj.lat(pt.y), proj.lon(pt.x), tx("chosen_point"), "map");
    });
    // one finger scrolls the page; the map pans with a mouse, with two fingers (browser
    // pinch) or after a tap has activated it
    let drag = null;
    svg.addEventListener("pointerdown", (ev) => {
      lastPointer = ev.pointerType;
      if (ev.pointerType === "touch" && !$("map-wrap").classList.contains("active")) return;
      drag = { x: ev.clientX, y: ev.clientY, v: view.slice(), moved: false };
    });
    svg.addEventListener("pointermove", (ev) => {
      if (!drag) return;
      const r = svg.getBoundingClientRect();
      const s = Math.max(view[2] / r.width, view[3] / r.height);
      const dx = (ev.clientX - drag.x) * s, dy = (ev.clientY - drag.y) * s;
      if (Math.abs(dx) + Math.abs(dy) > 2 * s) drag.moved = true;
      if (drag.moved) { view = [drag.v[0] - dx, drag.v[1] - dy, view[2], view[3]]; setView(); }
    });
    svg.addEventListener("pointerup", (ev) => { if (drag && drag.moved) ev.preventDefault(); setTimeout(() => { drag = null; }, 0); });
    svg.addEventListener("pointercancel", () => { drag = null; });
    svg.addEventListener("click", (ev) => { if (drag && drag.moved) ev.stopImmediatePropagation(); }, true);
    document.addEventListener("pointerdown", (ev) => {
      if (!$("map-wrap").contains(ev.target)) $("map-wrap").classList.remove("active");
    });
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
    // markers and names keep a constant size on screen whatever the zoom
    const r = svg.getBoundingClientRect();
    const unitsPerPx = Math.max(view[2] / (r.width || 1), view[3] / (r.height || 1));
    for (const c of svg.querySelectorAll("circle.proposal")) {
      c.setAttribute("r", ((c.classList.contains("selected") ? 11 : 7) * unitsPerPx).toFixed(2));
    }
    // district names: constant size on screen; a name that would overlap one already placed
    // (the larger districts first) is hidden at this zoom
    const placed = [];
    for (const t of svg.querySelectorAll("text.district-name")) {
      t.setAttribute("font-size", (14 * unitsPerPx).toFixed(2)); // 14 px on screen, the smallest text
      t.removeAttribute("visibility");
      const b = t.getBBox();
      const box = [b.x, b.y, b.x + b.width, b.y + b.height];
      if (placed.some((p) => box[0] < p[2] && p[0] < box[2] && box[1] < p[3] && p[1] < box[3])) {
        t.setAttribute("visibility", "hidden");
      } else {
        placed.push(box);
      }
    }
    for (const t of svg.querySelectorAll("text.selected-name")) {
      t.setAttribute("font-size", (14 * unitsPerPx).toFixed(2));
      t.setAttribute("dy", (-14 * unitsPerPx).toFixed(2));
    }
    const dot = svg.querySelector("circle.near-dot");
    if (dot) dot.setAttribute("r", (6 * unitsPerPx).toFixed(2));
  }
  function zoom(f, at) {
    const c = at || { x: view[0] + view[2] / 2, y: view[1] + view[3] / 2 };
    const w = Math.min(Math.max(view[2] * f, 40), proj.width * 2);
    const h = w * view[3] / view[2];
    view = [c.x - (c.x - view[0]) * w / view[2], c.y - (c.y - view[1]) * h / view[3], w, h];
    setView();
  }
  function centreOn(lat, lon) {
    const x = proj.x(lon), y = proj.y(lat);
    view = [x - view[2] / 2, y - view[3] / 2, view[2], view[3]];
    setView();
  }

  // ------------------------------------------------------------------ logic
  function visible() {
    const out = D.proposals.filter((p) => {
      if (state.district && p.area_id !== state.district) return false;
      if (state.category && p.category !== state.category) return false;
      return true;
    });
    for (const p of out) {
      p._dist = state.near && p.lat !== null && p.lon !== null
        ? distance(state.near[0], state.near[1], p.lat, p.lon) : null;
    }
    const num = (x) => (x === null || x === undefined || !isFinite(x) ? -Infinity : x);
    const by = {
      value: (a, b) => a.rank - b.rank,
      need: (a, b) => num(b.need_at_site) - num(a.need_at_site) || a.rank - b.rank,
      votes: (a, b) => num(b.votes) - num(a.votes) || a.rank - b.rank,
      distance: (a, b) => (a._dist === null ? Infinity : a._dist) - (b._dist === null ? Infinity : b._dist),
    }[state.sort];
    return out.sort(by);
  }
  function needWord(v) {
    if (v === null || v === undefined || !isFinite(v)) return "–";
    const de = state.lang === "de";
    // the steps of workbench.models.ranking.NEED_LEVELS (a test compares them)
    if (v >= 0.55) return de ? "sehr hoch" : "very high";
    if (v >= 0.40) return de ? "hoch" : "high";
    if (v >= 0.25) return de ? "mittel" : "medium";
    return de ? "gering" : "low";
  }
  function select(id, fromMap) {
    state.selected = id;
    for (const c of document.querySelectorAll("circle.proposal")) {
      c.classList.toggle("selected", c.dataset.id === id);
      if (c.dataset.id === id) c.parentNode.appendChild(c); // on top of the others
    }
    const lab = $("selected-label");
    lab.textContent = "";
    const sp = D.byId[id];
    if (sp && sp.lat !== null && sp.lon !== null) {
      const t = svgEl("text", { x: proj.x(sp.lon), y: proj.y(sp.lat), class: "selected-name",
                                "aria-hidden": "true" });
      t.textContent = sp.rank + ". " + sp.title;
      lab.appendChild(t);
      setView();
    }
    for (const li of $("list").children) li.classList.toggle("selected", li.dataset.id === id);
    let li = Array.from($("list").children).find((x) => x.dataset.id === id);
    if (fromMap && !li) { // beyond the proposals shown so far: show enough of the list
      const i = visible().findIndex((p) => p.proposal_id === id);
      if (i >= 0) {
        state.limit = Math.ceil((i + 1) / PAGE) * PAGE;
        renderList(true);
        li = Array.from($("list").children).find((x) => x.dataset.id === id);
      }
    }
    if (fromMap && li) { li.scrollIntoView({ block: "nearest" }); li.focus(); }
  }
  function showOnMap(p) {
    select(p.proposal_id, false);
    if (view[2] > proj.width / 3) zoom(0.35);
    centreOn(p.lat, p.lon);
    $("map-section").scrollIntoView({ block: "start" });
  }

  // ------------------------------------------------------------------ rendering
  function renderSort() {
    const s = $("sort");
    s.textContent = "";
    const keys = ["value", "need", "votes"].concat(state.near ? ["distance"] : []);
    for (const k of keys) s.appendChild(el("option", { value: k }, tx("sort_" + k)));
    s.value = state.sort;
  }
  function renderTexts() {
    document.documentElement.lang = state.lang;
    $("lang-de").setAttribute("aria-pressed", String(state.lang === "de"));
    $("lang-en").setAttribute("aria-pressed", String(state.lang === "en"));
    $("title").textContent = tx("citizen_title");
    showMessage();
    document.title = tx("page_title");
    $("intro").textContent = tx("citizen_intro");
    $("skip").textContent = tx("skip_list");
    $("banner").hidden = !D.meta.simulated;
    $("banner").textContent = tx("simulated");
    $("search-title").textContent = tx("search_title");
    $("list-title").textContent = tx("list_title");
    $("map-title").textContent = tx("map_title");
    $("map-hint").textContent = tx("map_hint") + " " + tx("map_touch");
    $("map-alt").textContent = tx("site_map_alt");
    $("zoom-in").setAttribute("aria-label", tx("zoom_in"));
    $("zoom-out").setAttribute("aria-label", tx("zoom_out"));
    $("district-label").textContent = tx("district");
    $("category-label").textContent = tx("category");
    $("sort-label").textContent = tx("sort");
    $("address-label").textContent = tx("near_me");
    $("address").placeholder = tx("address");
    $("search").textContent = tx("search");
    $("locate").textContent = tx("locate");
    $("reset").textContent = tx("reset");
    $("layers-legend").textContent = tx("map_label");
    renderSort();
    const dsel = $("district");
    dsel.textContent = "";
    dsel.appendChild(el("option", { value: "" }, tx("all_districts")));
    const ds = D.districts.features.map((f) => f.properties).sort((a, b) => a.name.localeCompare(b.name, "de"));
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
    for (const key of Object.keys(D.layers)) {
      const id = "layer-" + key;
      const label = el("label", { for: id });
      const box = el("input", { type: "checkbox", id });
      box.checked = !!state.shown[key];
      box.addEventListener("change", () => { state.shown[key] = box.checked; renderLayers(); });
      label.appendChild(box);
      label.appendChild(document.createTextNode(tx("layer_" + key)));
      fs.appendChild(label);
    }
    renderBudget();
    renderAbout();
    renderFooter();
    renderLayers();
    renderList(true);
  }
  function renderLayers() {
    for (const img of document.querySelectorAll("#overlays image")) {
      img.setAttribute("visibility", state.shown[img.dataset.layer] ? "visible" : "hidden");
    }
    // legends only for the layers that are switched on, and always one for the dots
    const legends = $("legends");
    legends.textContent = "";
    for (const [key, L] of Object.entries(D.layers)) {
      if (!state.shown[key]) continue;
      const lg = el("p", { class: "legend", "data-layer": key });
      const unit = { K: tx("unit_K"), "0–1": tx("unit_need") }[L.unit] || L.unit;
      lg.appendChild(el("strong", {}, tx("layer_" + key) + (unit ? " (" + unit + ")" : "") + ": "));
      for (const [colour, lab] of L.legend) { // swatch and value never part at a line end
        const item = el("span", { class: "item" });
        const sw = el("span", { class: "swatch", "aria-hidden": "true" });
        sw.style.background = colour;
        item.appendChild(sw);
        item.appendChild(document.createTextNode(legendLabel(lab)));
        lg.appendChild(item);
        lg.appendChild(document.createTextNode(" "));
      }
      legends.appendChild(lg);
    }
    const pl = el("p", { class: "legend" });
    pl.appendChild(el("strong", {}, tx("marker_legend") + ": "));
    const n = D.proposals.length;
    for (const [p, lab] of [[D.proposals[0], tx("marker_first")], [D.proposals[n - 1], tx("marker_last")]]) {
      if (!p) continue;
      const item = el("span", { class: "item" });
      const sw = el("span", { class: "swatch round", "aria-hidden": "true" });
      sw.style.background = p.colour || "#999";
      item.appendChild(sw);
      item.appendChild(document.createTextNode(lab));
      pl.appendChild(item);
      pl.appendChild(document.createTextNode(" "));
    }
    legends.appendChild(pl);
  }
  function renderList(keepLimit) {
    if (!keepLimit) state.limit = PAGE;
    const vis = visible();
    const ids = new Set(vis.map((p) => p.proposal_id));
    for (const c of document.querySelectorAll("circle.proposal")) c.classList.toggle("dim", !ids.has(c.dataset.id));
    const ng = $("near");
    ng.textContent = "";
    if (state.near) {
      ng.appendChild(svgEl("circle", { cx: proj.x(state.near[1]), cy: proj.y(state.near[0]), r: 6, class: "near-dot" }));
      setView();
    }
    const total = D.proposals.length;
    $("count").textContent = tx("shown_of", { shown: Math.min(vis.length, state.limit), n: vis.length }) +
      (vis.length < total ? " (" + tx("filtered_of", { n: total }) + ")" : "") + " · " +
      tx("sort") + ": " + tx("sort_" + state.sort) + (state.near ? " (" + state.nearLabel + ")" : "");
    const list = $("list");
    list.textContent = "";
    const more = $("more");
    more.hidden = vis.length <= state.limit;
    more.textContent = tx("show_more", { n: Math.min(PAGE, vis.length - state.limit) });
    if (!vis.length) { list.appendChild(el("li", {}, tx("no_proposals"))); return; }
    const links = D.site.participation || {};
    for (const p of vis.slice(0, state.limit)) {
      const li = el("li", { "data-id": p.proposal_id, tabindex: "-1", class: "proposal-item" });
      if (p.proposal_id === state.selected) li.classList.add("selected");
      const rank = el("span", { class: "rank", "aria-hidden": "true" }, String(p.rank));
      rank.style.borderColor = p.colour || "#999";
      li.appendChild(rank);
      const h = el("h3", { class: "title" });
      h.appendChild(el("span", { class: "visually-hidden" }, tx("place") + " " + p.rank + ": "));
      h.appendChild(document.createTextNode(p.title));
      li.appendChild(h);
      const votes = p.votes_hidden ? tx("few_votes") : fmtInt(p.votes);
      const parts = []; // the place itself opens the explanation ("Platz 3 von 50. …")
      if (p._dist !== null && p._dist !== undefined) parts.push(tx("distance_from", { distance: fmtDist(p._dist) }));
      parts.push(cat(p.category), p.district || "", fmtEur(p.cost_eur),
                 tx("need_level") + ": " + needWord(p.need_at_site), tx("votes") + ": " + votes);
      li.appendChild(el("p", { class: "meta" }, parts.filter((x) => x).join(" · ")));
      if (p.description) li.appendChild(el("p", { class: "desc" }, p.description));
      li.appendChild(el("p", { class: "why" }, state.lang === "de" ? p.explanation_de : p.explanation_en));
      const act = el("p", { class: "actions" });
      if (p.lat !== null && p.lon !== null) {
        const b = el("button", { type: "button" }, tx("show_on_map"));
        b.appendChild(el("span", { class: "visually-hidden" }, ": " + p.title));
        b.addEventListener("click", () => showOnMap(p));
        act.appendChild(b);
      }
      const href = safeUrl(links[p.proposal_id]);
      if (href) {
        const a = el("a", { href, rel: "noopener noreferrer" }, tx("participate"));
        a.appendChild(el("span", { class: "visually-hidden" }, ": " + p.title + " " + tx("participate_about")));
        act.appendChild(a);
      }
      li.appendChild(act);
      list.appendChild(li);
    }
  }
  function districtName(id) {
    const f = D.districts.features.find((x) => x.properties.area_id === id);
    return f ? f.properties.name : (id === "unplaced" ? "–" : id);
  }
  function renderBudget() {
    const body = $("budget-body");
    body.textContent = "";
    $("budget-title").textContent = tx("budget_title");
    if (!D.budget.length) return;
    body.appendChild(el("p", {}, tx("budget_text", { budget: fmtEur(D.budget[0].budget_eur) })));
    for (const a of D.budget) {
      const det = el("details");
      const sum = el("summary", {}, a.label[state.lang] + ": " +
        tx("budget_funded", { n: a.funded.length, spent: fmtEur(a.spent_eur) }));
      det.appendChild(sum);
      det.appendChild(el("p", {}, tx("budget_method_" + a.method)));
      const t1 = el("table");
      t1.appendChild(el("caption", { class: "visually-hidden" }, a.label[state.lang] + " – " + tx("budget_proposals")));
      const hr = el("tr");
      hr.appendChild(el("th", { scope: "col" }, tx("place")));
      hr.appendChild(el("th", { scope: "col" }, tx("budget_proposals")));
      hr.appendChild(el("th", { scope: "col", class: "num" }, tx("votes")));
      hr.appendChild(el("th", { scope: "col", class: "num" }, state.lang === "de" ? "Kosten" : "Cost"));
      t1.appendChild(hr);
      for (const id of a.funded) {
        const p = D.byId[id];
        if (!p) continue;
        const tr = el("tr");
        tr.appendChild(el("td", { class: "num" }, String(p.rank)));
        tr.appendChild(el("td", {}, p.title));
        tr.appendChild(el("td", { class: "num" }, p.votes_hidden ? tx("few_votes") : fmtInt(p.votes)));
        tr.appendChild(el("td", { class: "num" }, fmtEur(p.cost_eur)));
        t1.appendChild(tr);
      }
      det.appendChild(t1);
      const t2 = el("table");
      t2.appendChild(el("caption", {}, tx("budget_districts")));
      const hr2 = el("tr");
      hr2.appendChild(el("th", { scope: "col" }, tx("district")));
      hr2.appendChild(el("th", { scope: "col", class: "num" }, "€"));
      t2.appendChild(hr2);
      const money = new Map(a.districts);
      const all = D.districts.features.map((f) => f.properties.area_id)
        .sort((x, y) => (money.get(y) || 0) - (money.get(x) || 0) || districtName(x).localeCompare(districtName(y), "de"));
      for (const area of all) { // every district, also those that get nothing
        const tr = el("tr");
        tr.appendChild(el("td", {}, districtName(area)));
        tr.appendChild(el("td", { class: "num" }, fmtEur(money.get(area) || 0)));
        t2.appendChild(tr);
      }
      det.appendChild(t2);
      body.appendChild(det);
    }
  }
  function renderAbout() {
    const about = $("about-body");
    about.textContent = "";
    $("about-title").textContent = tx("about_data");
    if (D.meta.simulated) about.appendChild(el("p", { class: "banner" }, tx("simulated")));
    about.appendChild(el("p", {}, tx("about_text")));
    if (D.meta.simulated) about.appendChild(el("p", {}, tx("about_simulated")));
    about.appendChild(el("p", {}, tx("caveat_lowcost")));
    const when = D.meta.latest_data_text ? D.meta.latest_data_text[state.lang] : "";
    if (when) {
      const run = D.meta.run_text ? " · " + tx("computed") + " " + D.meta.run_text[state.lang] : "";
      about.appendChild(el("p", {}, tx("data_state") + ": " + when + run));
      if (D.meta.data_age_days > 30) { // DATA_OLD_DAYS in dashboard/state.py
        about.appendChild(el("p", { class: "old" }, tx("data_old", { days: fmtInt(D.meta.data_age_days) })));
      }
    }
    if (D.meta.sensors) { // sensors_text in dashboard/page_html.py
      const m = D.meta;
      const both = m.sensors_heat != null && m.sensors_air != null;
      about.appendChild(el("p", {}, both
        ? tx("sensors_used", { total: fmtInt(m.sensors), heat: fmtInt(m.sensors_heat), air: fmtInt(m.sensors_air) })
        : tx("sensors") + ": " + fmtInt(m.sensors)));
    }
  }
  function renderFooter() {
    const f = $("footer");
    f.textContent = "";
    if (D.site.operator) f.appendChild(el("p", {}, tx("published_by") + ": " + D.site.operator));
    const ul = el("ul");
    const texts = [];
    for (const s of D.site.legal[state.lang]) {
      const li = el("li");
      const url = safeUrl(s.url);
      if (url) {
        li.appendChild(el("a", { href: url, rel: "noopener noreferrer" }, s.label));
      } else {
        li.appendChild(el("a", { href: "#legal-" + s.key }, s.label));
        texts.push(s);
      }
      ul.appendChild(li);
    }
    const mail = D.site.feedback_email;
    if (mail && /^[^\s@<>"]+@[^\s@<>"]+$/.test(mail)) {
      const li = el("li");
      li.appendChild(el("a", { href: "mailto:" + mail }, state.lang === "de" ? "Barriere melden" : "Report a barrier"));
      ul.appendChild(li);
    }
    f.appendChild(ul);
    for (const s of texts) {
      const det = el("details", { id: "legal-" + s.key });
      det.appendChild(el("summary", {}, s.label));
      for (const para of s.paragraphs) det.appendChild(el("p", {}, para));
      f.appendChild(det);
    }
  }

  // ------------------------------------------------------------------ start
  function wire() {
    $("lang-de").addEventListener("click", () => { state.lang = "de"; renderTexts(); });
    $("lang-en").addEventListener("click", () => { state.lang = "en"; renderTexts(); });
    $("district").addEventListener("change", (ev) => { state.district = ev.target.value; renderList(); });
    $("category").addEventListener("change", (ev) => { state.category = ev.target.value; renderList(); });
    $("sort").addEventListener("change", (ev) => { state.sort = ev.target.value; renderList(); });
    $("search").addEventListener("click", () => locate($("address").value));
    $("address").addEventListener("keydown", (ev) => { if (ev.key === "Enter") locate($("address").value); });
    $("locate").addEventListener("click", () => {
      if (!navigator.geolocation) { say("geo_failed"); return; }
      say("locating", {}, true);
      navigator.geolocation.getCurrentPosition(
        (pos) => setNear(pos.coords.latitude, pos.coords.longitude, tx("my_location"), "geo"),
        () => say("geo_failed"),
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
    });
    $("reset").addEventListener("click", () => {
      state.district = ""; state.category = ""; $("address").value = "";
      say(""); $("district").value = ""; $("category").value = "";
      clearNear();
    });
    $("more").addEventListener("click", () => {
      const first = state.limit;
      state.limit += PAGE;
      renderList(true);
      const li = $("list").children[first];
      if (li) li.focus(); // keyboard users continue where the new proposals start
    });
    $("zoom-in").addEventListener("click", () => zoom(0.7));
    $("zoom-out").addEventListener("click", () => zoom(1.4));
    document.addEventListener("click", (ev) => {
      const a = ev.target.closest && ev.target.closest("a[href^='#legal-']");
      if (a) {
        const d = document.querySelector(a.getAttribute("href"));
        if (d) { ev.preventDefault(); d.open = true; d.querySelector("summary").focus(); }
      }
    });
  }

  Promise.all(["data/proposals.json", "data/districts.geojson", "data/layers.json",
               "data/texts.json", "data/meta.json", "data/site.json", "data/budget.json", "data/streets.geojson"].map((p) => load(p))
    .concat([load("data/addresses.json")]))
    .then(([proposals, districts, layers, texts, meta, site, budget, streets, addresses]) => {
      D = { proposals, districts, layers, texts, meta, site, budget, streets, addresses, byId: {}, districtCentre: {} };
      for (const p of proposals) D.byId[p.proposal_id] = p;
      for (const f of districts.features) { // the point the workbench chose (as on the Voila page)
        const pr = f.properties;
        D.districtCentre[pr.area_id] = pr.label_lat != null ? [pr.label_lat, pr.label_lon] : labelPoint(f);
      }
      D.index = buildIndex();
      const params = new URLSearchParams(window.location.search);
      if (params.get("lang") === "en") state.lang = "en";
      D.bbox = bounds();
      proj = makeProjection(D.bbox);
      drawMap();
      wire();
      renderTexts();
      document.body.dataset.ready = "true";
    })
    .catch((err) => {
      $("message").textContent = "Daten konnten nicht geladen werden / data could not be loaded: " + err.message;
    });
})();
