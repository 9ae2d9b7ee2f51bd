// Coding page: paint codings over the transcript and code selected text.
//
// Offsets are Unicode code points of the transcript text, as on the server;
// the DOM counts UTF-16 units, so every conversion goes through cpLen /
// utf16At. The server renders the text once as blocks (.tx) and hidden gaps
// (.gap) that tile it exactly, each with data-start/data-end. Painting a
// block rebuilds only that block's children from its original text.
(function () {
  "use strict";

  const root = document.getElementById("coding");
  const dataEl = document.getElementById("coding-data");
  if (!root || !dataEl) return;
  const data = JSON.parse(dataEl.textContent);
  const me = data.me;
  const codes = data.codes; // id -> [name, colour, parent_id, path]
  const codings = new Map(); // id -> [id, code_id, coder_id, start, end]
  const MAX_LANES = 6;
  const LANE_PX = 3;
  const RECENT_KEY = "coding.recent." + data.project;

  const transcriptEl = document.getElementById("transcript");
  const alertEl = document.getElementById("coding-alert");
  const statusEl = document.getElementById("coding-status");
  const picker = document.getElementById("picker");
  const pop = document.getElementById("coding-pop");
  const sgPop = document.getElementById("sg-pop");

  // ---- Code points ---------------------------------------------------------

  function isLowSurrogate(c) {
    return c >= 0xdc00 && c <= 0xdfff;
  }

  function cpLen(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) if (!isLowSurrogate(s.charCodeAt(i))) n++;
    return n;
  }

  // UTF-16 indexes of the ascending code-point offsets `cps` in `s`.
  function utf16At(s, cps) {
    const out = new Array(cps.length);
    let cp = 0;
    let i = 0;
    for (let k = 0; k < cps.length; k++) {
      while (cp < cps[k] && i < s.length) {
        const c = s.charCodeAt(i);
        i += c >= 0xd800 && c < 0xdc00 && i + 1 < s.length ? 2 : 1;
        cp++;
      }
      out[k] = i;
    }
    return out;
  }

  function cpSlice(s, a, b) {
    const [i, j] = utf16At(s, [a, b]);
    return s.slice(i, j);
  }

  // ---- Text segments and blocks --------------------------------------------

  const segments = Array.from(transcriptEl.querySelectorAll("[data-start]")).map(
    (el) => ({
      el: el,
      start: +el.dataset.start,
      end: +el.dataset.end,
      text: el.textContent,
      isBlock: el.classList.contains("tx"),
    }),
  );
  const blocks = segments.filter((s) => s.isBlock);
  blocks.forEach((b) => {
    b.ls = b.el.dataset.ls === undefined ? -1 : +b.el.dataset.ls;
    b.le = b.el.dataset.le === undefined ? -1 : +b.el.dataset.le;
    b.list = [];
    b.sg = []; // open suggestions overlapping the block
    b.painted = false;
  });

  // Index of the first item of `items` (sorted by start) that ends after `offset`.
  function firstEndingAfter(items, offset) {
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (items[mid].end <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function blocksOverlapping(start, end) {
    const out = [];
    for (let i = firstEndingAfter(blocks, start); i < blocks.length; i++) {
      if (blocks[i].start >= end) break;
      out.push(blocks[i]);
    }
    return out;
  }

  // The exact transcript text in [start, end), gaps included.
  function textOf(start, end) {
    let out = "";
    for (let i = firstEndingAfter(segments, start); i < segments.length; i++) {
      const seg = segments[i];
      if (seg.start >= end) break;
      const a = Math.max(start, seg.start) - seg.start;
      const b = Math.min(end, seg.end) - seg.start;
      out += cpSlice(seg.text, a, b);
    }
    return out;
  }

  // ---- Layers ----------------------------------------------------------------

  let layer = "all";
  const shownCoders = new Set();
  root.querySelectorAll("[data-coder]").forEach((box) => {
    if (box.checked) shownCoders.add(+box.dataset.coder);
  });

  function isVisible(c) {
    return layer === "mine" ? c[2] === me : shownCoders.has(c[2]);
  }

  // ---- Painting --------------------------------------------------------------

  let pending = null; // {s, e, text} while the picker is open
  const styleCache = new Map();

  function pieceStyle(active, lanes) {
    // Stacked underlines, one lane each, and a light tint of the lowest one.
    const key = lanes + "|" + active.map((it) => it.lane + codes[it.c[1]][1]).join();
    let style = styleCache.get(key);
    if (style === undefined) {
      const shown = active.filter((it) => it.lane < MAX_LANES);
      const images = shown.map((it) => {
        const colour = codes[it.c[1]][1];
        return "linear-gradient(" + colour + "," + colour + ")";
      });
      const positions = shown.map(
        (it) => "0 calc(100% - " + it.lane * LANE_PX + "px)",
      );
      style =
        "background-color:" + codes[active[0].c[1]][1] + "26;" +
        "background-image:" + images.join(",") + ";" +
        "background-position:" + positions.join(",") + ";" +
        "background-size:100% " + LANE_PX + "px;background-repeat:no-repeat;" +
        "padding-bottom:" + Math.min(lanes, MAX_LANES) * LANE_PX + "px";
      styleCache.set(key, style);
    }
    return style;
  }

  function paint(b) {
    const visible = b.list.filter((c) => codes[c[1]] && isVisible(c));
    const pend = pending && pending.s < b.end && pending.e > b.start ? pending : null;
    const sgs = showSuggestions ? b.sg.filter((g) => codes[g[1]]) : [];
    const adj = adjust && adjust.changed && adjust.s < b.end && adjust.e > b.start ? adjust : null;
    b.dirty = false;
    if (!visible.length && !pend && !sgs.length && !adj && !b.painted) return;
    const len = b.end - b.start;
    const items = visible.map((c) => ({
      c: c,
      s: Math.max(c[3], b.start) - b.start,
      e: Math.min(c[4], b.end) - b.start,
      lane: 0,
    }));
    items.sort((x, y) => x.s - y.s || y.e - x.e || x.c[0] - y.c[0]);
    const laneEnds = [];
    for (const it of items) {
      let k = 0;
      while (k < laneEnds.length && laneEnds[k] > it.s) k++;
      it.lane = k;
      laneEnds[k] = it.e;
    }
    const cuts = [0, len];
    if (b.ls >= 0) cuts.push(b.ls, b.le);
    for (const it of items) cuts.push(it.s, it.e);
    const sgItems = sgs.map((g) => ({
      g: g,
      s: Math.max(g[2], b.start) - b.start,
      e: Math.min(g[3], b.end) - b.start,
    }));
    for (const it of sgItems) cuts.push(it.s, it.e);
    let ps = -1;
    let pe = -1;
    if (pend) {
      ps = Math.max(pend.s, b.start) - b.start;
      pe = Math.min(pend.e, b.end) - b.start;
      cuts.push(ps, pe);
    }
    let as = -1;
    let ae = -1;
    if (adj) {
      as = Math.max(adj.s, b.start) - b.start;
      ae = Math.min(adj.e, b.end) - b.start;
      cuts.push(as, ae);
    }
    cuts.sort((x, y) => x - y);
    const uniq = cuts.filter((x, i) => i === 0 || x !== cuts[i - 1]);
    const at = utf16At(b.text, uniq);
    const frag = document.createDocumentFragment();
    const active = [];
    let next = 0;
    for (let k = 0; k + 1 < uniq.length; k++) {
      const p = uniq[k];
      const q = uniq[k + 1];
      while (next < items.length && items[next].s <= p) active.push(items[next++]);
      for (let a = active.length - 1; a >= 0; a--) if (active[a].e <= p) active.splice(a, 1);
      const piece = b.text.slice(at[k], at[k + 1]);
      const isPending = pend && ps <= p && q <= pe;
      const sgHere = sgItems.find((it) => it.s <= p && q <= it.e);
      const isAdjusted = adj && as <= p && q <= ae;
      let node;
      if (active.length || isPending || sgHere || isAdjusted) {
        node = document.createElement("span");
        if (active.length) {
          active.sort((x, y) => x.lane - y.lane);
          node.className = "cd";
          node.dataset.o = String(b.start + p);
          node.style.cssText = pieceStyle(active, laneEnds.length);
        }
        if (isPending) node.classList.add("pending");
        if (sgHere) markSuggestion(node, sgHere, p, b.start);
        if (isAdjusted) node.classList.add("sg-adj");
        node.textContent = piece;
      } else {
        node = document.createTextNode(piece);
      }
      if (b.ls >= 0 && p >= b.ls && q <= b.le) {
        const label = document.createElement("b");
        label.className = "spk";
        label.appendChild(node);
        node = label;
      }
      frag.appendChild(node);
    }
    b.el.replaceChildren(frag);
    b.painted = visible.length > 0 || !!pend || sgs.length > 0 || !!adj;
  }

  // A piece of an open suggestion: dashed outline in the code's colour, the
  // score on its first piece (drawn by CSS, so it is not part of the text).
  function markSuggestion(node, it, p, blockStart) {
    const g = it.g;
    node.classList.add("sg");
    node.dataset.sg = String(g[0]);
    node.style.setProperty("--sg", codes[g[1]][1]);
    if (p === it.s && g[2] >= blockStart) node.dataset.score = g[4].toFixed(2);
    if (g[0] === currentSg) node.classList.add("sg-current");
  }

  // Blocks far from the viewport are painted when they come near it, so that
  // opening a long transcript costs about the same as opening a short one.
  const near = new Set();
  const blockOf = new Map(blocks.map((b) => [b.el, b]));
  let observer = null;

  function refresh(b) {
    if (!observer || near.has(b)) paint(b);
    else b.dirty = true;
  }

  function paintAll() {
    blocks.forEach(refresh);
    updateLegend();
  }

  function addCoding(c) {
    codings.set(c[0], c);
    for (const b of blocksOverlapping(c[3], c[4])) b.list.push(c);
  }

  function removeCoding(id) {
    const c = codings.get(id);
    if (!c) return [];
    codings.delete(id);
    const touched = blocksOverlapping(c[3], c[4]);
    for (const b of touched) b.list = b.list.filter((x) => x[0] !== id);
    return touched;
  }

  function updateLegend() {
    const legend = document.getElementById("legend");
    const perCode = new Map();
    const perCoder = new Map();
    let shown = 0;
    for (const c of codings.values()) {
      perCoder.set(c[2], (perCoder.get(c[2]) || 0) + 1);
      if (!codes[c[1]] || !isVisible(c)) continue;
      shown++;
      perCode.set(c[1], (perCode.get(c[1]) || 0) + 1);
    }
    document.getElementById("coding-count").textContent = String(shown);
    root.querySelectorAll("[data-coder-count]").forEach((el) => {
      el.textContent = String(perCoder.get(+el.dataset.coderCount) || 0);
    });
    const items = [];
    for (const [id] of data.code_order) {
      if (!perCode.has(id)) continue;
      const li = document.createElement("li");
      li.appendChild(swatch(codes[id][1]));
      li.appendChild(document.createTextNode(codes[id][3] + " "));
      const count = document.createElement("span");
      count.className = "muted";
      count.textContent = String(perCode.get(id));
      li.appendChild(count);
      items.push(li);
    }
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = "None yet.";
      items.push(li);
    }
    legend.replaceChildren(...items);
  }

  function swatch(colour) {
    const s = document.createElement("span");
    s.className = "swatch";
    s.style.background = colour;
    return s;
  }

  // ---- Messages and the API ------------------------------------------------------

  function showError(message) {
    alertEl.textContent = message;
  }

  function clearError() {
    alertEl.textContent = "";
  }

  function announce(message) {
    statusEl.textContent = message;
  }

  async function api(method, url, body) {
    const options = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": root.dataset.csrf },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, options);
    } catch (err) {
      return { ok: false, error: "Could not reach the server; nothing was saved." };
    }
    if (response.status === 204) return { ok: true, data: null };
    let payload = null;
    try {
      payload = await response.json();
    } catch (err) {
      payload = null;
    }
    if (!response.ok) {
      const error = payload && payload.error ? payload.error : "The server refused (" + response.status + ").";
      return { ok: false, error: error };
    }
    return { ok: true, data: payload };
  }

  function detailUrl(id) {
    return root.dataset.detailUrl.replace(/0\/$/, id + "/");
  }

  // ---- Selection -> code points ------------------------------------------------

  function offsetIn(block, node, offset) {
    const r = document.createRange();
    r.setStart(block.el, 0);
    r.setEnd(node, offset);
    return block.start + cpLen(r.toString());
  }

  // Map a DOM range to [s, e) of the transcript, clipped to the text of the
  // first and last blocks it touches and trimmed of white space.
  function rangeToSpan(range) {
    const touched = blocks.filter((b) => range.intersectsNode(b.el));
    if (!touched.length) return null;
    const first = touched[0];
    const last = touched[touched.length - 1];
    let s = first.el.contains(range.startContainer)
      ? offsetIn(first, range.startContainer, range.startOffset)
      : first.start;
    let e = last.el.contains(range.endContainer)
      ? offsetIn(last, range.endContainer, range.endOffset)
      : last.end;
    if (e <= s) return null;
    const chars = Array.from(textOf(s, e));
    let a = 0;
    let z = chars.length;
    while (a < z && /\s/.test(chars[a])) a++;
    while (z > a && /\s/.test(chars[z - 1])) z--;
    if (a === z) return null;
    return { s: s + a, e: s + z, text: chars.slice(a, z).join("") };
  }

  // ---- Code picker ---------------------------------------------------------------

  const filterEl = picker.querySelector(".picker-filter");
  const listEl = picker.querySelector(".picker-list");
  const recentEl = picker.querySelector(".picker-recent");
  const applyEl = picker.querySelector(".picker-apply");
  let options = []; // [{id, el}] currently listed
  let activeIndex = 0;
  const marked = new Set();

  function recentCodes() {
    let ids = [];
    try {
      ids = JSON.parse(localStorage.getItem(RECENT_KEY) || "[]");
    } catch (err) {
      ids = [];
    }
    return Array.isArray(ids) ? ids.filter((id) => codes[id]).slice(0, 5) : [];
  }

  function rememberCodes(ids) {
    const list = ids.concat(recentCodes().filter((id) => !ids.includes(id)));
    try {
      localStorage.setItem(RECENT_KEY, JSON.stringify(list.slice(0, 5)));
    } catch (err) {
      // Private mode or full storage: recent codes are a convenience only.
    }
  }

  function renderRecent() {
    const buttons = recentCodes().map((id, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "chip";
      button.title = codes[id][3];
      const key = document.createElement("kbd");
      key.textContent = String(i + 1);
      button.append(key, swatch(codes[id][1]), document.createTextNode(codes[id][0]));
      button.addEventListener("click", () => applyCodes([id]));
      return button;
    });
    recentEl.replaceChildren(...buttons);
    recentEl.hidden = !buttons.length;
  }

  // Codes the model scores highest for the selection (scores the suggestion
  // job stored per unit, sentence or turn, weighted by how much of each the
  // selection covers), best first: [[id, score], ...], at most RANKED_MAX.
  // The same rule as interviews/suggest/picker.py, which the evaluation of
  // selection recall@5 runs; the page passes its constants.
  const RANKED_MAX = data.picker.max;
  const RANKED_MIN_SCORE = data.picker.min_score;
  const unitScores = (data.unit_scores || []).map((u) => ({
    start: u[0],
    end: u[1],
    scores: u[2],
  }));

  function rankedCodes(span) {
    if (!span || !unitScores.length) return [];
    const total = new Map();
    let weight = 0;
    for (let i = firstEndingAfter(unitScores, span.s); i < unitScores.length; i++) {
      const u = unitScores[i];
      if (u.start >= span.e) break;
      const w = Math.min(u.end, span.e) - Math.max(u.start, span.s);
      if (w <= 0) continue;
      weight += w;
      for (const [id, score] of Object.entries(u.scores)) {
        total.set(+id, (total.get(+id) || 0) + w * score);
      }
    }
    if (!weight) return [];
    return Array.from(total, ([id, sum]) => [id, sum / weight])
      .filter(([id, score]) => codes[id] && score >= RANKED_MIN_SCORE)
      .sort((x, y) => y[1] - x[1] || x[0] - y[0])
      .slice(0, RANKED_MAX);
  }

  function renderOptions() {
    const terms = filterEl.value.toLowerCase().split(/\s+/).filter(Boolean);
    options = [];
    const items = [];
    const ranked = terms.length ? [] : rankedCodes(pending);
    const rankedIds = new Set(ranked.map((r) => r[0]));
    const scoreOf = new Map(ranked);
    const order = ranked
      .map(([id]) => [id, 0])
      .concat(data.code_order.filter(([id]) => !rankedIds.has(id)));
    for (const [id, depth] of order) {
      const path = codes[id][3];
      const hay = path.toLowerCase();
      if (!terms.every((t) => hay.includes(t))) continue;
      const li = document.createElement("li");
      li.id = "picker-opt-" + id;
      li.setAttribute("role", "option");
      li.className = "picker-option";
      li.style.paddingLeft = (terms.length ? 0.5 : 0.5 + depth * 1.1) + "rem";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.tabIndex = -1;
      box.checked = marked.has(id);
      box.setAttribute("aria-label", "Mark " + path);
      box.addEventListener("click", (ev) => {
        ev.stopPropagation();
        toggleMark(id);
      });
      const name = document.createElement("span");
      const isRanked = scoreOf.has(id);
      name.textContent = terms.length || isRanked ? path : codes[id][0];
      li.append(box, swatch(codes[id][1]), name);
      if (isRanked) {
        li.classList.add("ranked");
        const score = document.createElement("span");
        score.className = "rank-score";
        score.textContent = scoreOf.get(id).toFixed(2);
        score.title = "How likely the model finds this code here";
        li.appendChild(score);
      }
      li.addEventListener("mousedown", (ev) => ev.preventDefault());
      li.addEventListener("click", () => applyCodes(markedOr(id)));
      options.push({ id: id, el: li });
      items.push(li);
    }
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "muted picker-empty";
      li.textContent = data.code_order.length ? "No code matches." : "The codebook is empty.";
      items.push(li);
    }
    listEl.replaceChildren(...items);
    setActive(0);
    renderApply();
  }

  function setActive(i) {
    if (!options.length) {
      filterEl.removeAttribute("aria-activedescendant");
      return;
    }
    activeIndex = (i + options.length) % options.length;
    options.forEach((o, k) => {
      o.el.classList.toggle("active", k === activeIndex);
      o.el.setAttribute("aria-selected", marked.has(o.id) ? "true" : "false");
    });
    const el = options[activeIndex].el;
    filterEl.setAttribute("aria-activedescendant", el.id);
    el.scrollIntoView({ block: "nearest" });
  }

  function toggleMark(id) {
    if (marked.has(id)) marked.delete(id);
    else marked.add(id);
    for (const o of options) {
      o.el.querySelector("input").checked = marked.has(o.id);
      o.el.setAttribute("aria-selected", marked.has(o.id) ? "true" : "false");
    }
    renderApply();
  }

  function markedOr(id) {
    const ids = Array.from(marked);
    if (id !== undefined && !ids.includes(id)) ids.push(id);
    return ids;
  }

  function renderApply() {
    applyEl.hidden = marked.size === 0;
    applyEl.textContent = "Apply " + marked.size + (marked.size === 1 ? " code" : " codes");
  }

  function placePopup(el, rect) {
    el.hidden = false;
    const width = el.offsetWidth;
    const left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - width - 8));
    el.style.left = left + window.scrollX + "px";
    el.style.top = rect.bottom + window.scrollY + 8 + "px";
  }

  function openPicker(span, rect) {
    closePop();
    const old = pending;
    pending = span;
    repaintSpans([old, span]);
    marked.clear();
    filterEl.value = "";
    const quote = span.text.length > 60 ? span.text.slice(0, 57) + "…" : span.text;
    picker.querySelector(".picker-quote").textContent = quote;
    renderRecent();
    renderOptions();
    placePopup(picker, rect);
    filterEl.focus({ preventScroll: true });
  }

  // Closing only drops the pending marks: rebuilding the text here could
  // pull nodes from under a mouse press that is starting a new selection.
  function closePicker() {
    if (picker.hidden) return;
    picker.hidden = true;
    pending = null;
    transcriptEl.querySelectorAll(".pending").forEach((el) => el.classList.remove("pending"));
  }

  function repaintSpans(spans) {
    const seen = new Set();
    for (const sp of spans) {
      if (!sp) continue;
      for (const b of blocksOverlapping(sp.s, sp.e)) {
        if (!seen.has(b)) {
          seen.add(b);
          paint(b);
        }
      }
    }
  }

  let applying = false;

  async function applyCodes(ids) {
    if (!pending || !ids.length || applying) return;
    applying = true;
    const span = pending;
    const body = { transcript: data.transcript, start: span.s, end: span.e, text: span.text };
    if (ids.length === 1) body.code = ids[0];
    else body.codes = ids;
    const result = await api("POST", root.dataset.createUrl, body);
    applying = false;
    if (!result.ok) {
      showError(result.error);
      return;
    }
    clearError();
    for (const c of result.data.codings) addCoding(c);
    rememberCodes(ids);
    picker.hidden = true;
    pending = null;
    if (layer === "all" && !shownCoders.has(me)) {
      // Show the layer the new coding went to.
      shownCoders.add(me);
      const box = root.querySelector('[data-coder="' + me + '"]');
      if (box) box.checked = true;
      paintAll();
    } else {
      repaintSpans([span]);
    }
    window.getSelection().removeAllRanges();
    updateLegend();
    announce("Coded as " + ids.map((id) => codes[id][3]).join(", ") + ".");
    transcriptEl.focus({ preventScroll: true });
  }

  filterEl.addEventListener("input", renderOptions);
  filterEl.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown") {
      setActive(activeIndex + 1);
      ev.preventDefault();
    } else if (ev.key === "ArrowUp") {
      setActive(activeIndex - 1);
      ev.preventDefault();
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      const current = options[activeIndex];
      if (ev.shiftKey) {
        if (current) toggleMark(current.id);
      } else if (marked.size) {
        applyCodes(markedOr());
      } else if (current) {
        applyCodes([current.id]);
      }
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      closePicker();
      transcriptEl.focus({ preventScroll: true });
    } else if (/^[1-5]$/.test(ev.key) && filterEl.value === "") {
      const id = recentCodes()[+ev.key - 1];
      if (id !== undefined) {
        ev.preventDefault();
        applyCodes([id]);
      }
    }
  });
  applyEl.addEventListener("click", () => applyCodes(markedOr()));
  picker.querySelector(".pop-close").addEventListener("click", closePicker);

  // ---- Codings under a click -----------------------------------------------------

  const popList = pop.querySelector(".codings-here");

  function closePop() {
    pop.hidden = true;
  }

  function showCodingsAt(offset, rect) {
    const b = blocks[firstEndingAfter(blocks, offset)];
    if (!b) return;
    const here = b.list.filter((c) => codes[c[1]] && isVisible(c) && c[3] <= offset && offset < c[4]);
    if (!here.length) {
      closePop();
      return;
    }
    here.sort((x, y) => codes[x[1]][3].localeCompare(codes[y[1]][3]) || x[0] - y[0]);
    popList.replaceChildren(...here.map(codingItem));
    placePopup(pop, rect);
    const first = pop.querySelector("button, textarea");
    if (first) first.focus({ preventScroll: true });
  }

  function codingItem(c) {
    const li = document.createElement("li");
    li.className = "coding-item";
    const head = document.createElement("div");
    head.className = "coding-head";
    const path = document.createElement("strong");
    path.textContent = codes[c[1]][3];
    const who = document.createElement("span");
    who.className = "muted";
    who.textContent = " by " + (data.coders[c[2]] || "another coder") + (c[2] === me ? " (you)" : "");
    head.append(swatch(codes[c[1]][1]), path, who, similarForm(c));
    const body = document.createElement("div");
    body.className = "coding-body muted";
    body.textContent = "Loading…";
    li.append(head, body);
    loadCoding(c, li, body);
    return li;
  }

  // "More like this": starts a similarity search (a job) from the coding.
  function similarForm(c) {
    const form = document.createElement("form");
    form.method = "post";
    form.className = "similar-form";
    form.action = root.dataset.similarUrl.replace(/\/0\/similar\/$/, "/" + c[0] + "/similar/");
    const token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = root.dataset.csrf;
    const button = document.createElement("button");
    button.type = "submit";
    button.className = "link small";
    button.textContent = "More like this";
    button.title = "Find the most similar sentences not coded with this code yet";
    form.append(token, button);
    return form;
  }

  async function loadCoding(c, li, body) {
    const result = await api("GET", detailUrl(c[0]));
    if (!result.ok) {
      body.textContent = result.error;
      return;
    }
    const info = result.data;
    const quote = document.createElement("blockquote");
    quote.textContent = info.text.length > 240 ? info.text.slice(0, 237) + "…" : info.text;
    body.className = "coding-body";
    body.replaceChildren(quote);
    if (!info.can_edit) {
      const memo = document.createElement("p");
      memo.className = info.memo ? "coding-memo" : "muted";
      memo.textContent = info.memo || "No memo.";
      body.appendChild(memo);
      return;
    }
    const label = document.createElement("label");
    label.textContent = "Memo";
    label.className = "small";
    const area = document.createElement("textarea");
    area.rows = 3;
    area.value = info.memo;
    area.id = "coding-memo-" + c[0];
    label.htmlFor = area.id;
    const save = document.createElement("button");
    save.type = "button";
    save.textContent = "Save memo";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "secondary danger";
    remove.textContent = "Remove coding";
    const state = document.createElement("span");
    state.className = "muted small";
    save.addEventListener("click", async () => {
      const res = await api("PATCH", detailUrl(c[0]), { memo: area.value });
      if (!res.ok) return showError(res.error);
      clearError();
      state.textContent = "Saved.";
      announce("Memo saved.");
    });
    remove.addEventListener("click", async () => {
      const res = await api("DELETE", detailUrl(c[0]));
      if (!res.ok) return showError(res.error);
      clearError();
      repaintBlocks(removeCoding(c[0]));
      li.remove();
      if (!popList.children.length) closePop();
      announce("Coding removed.");
    });
    const actions = document.createElement("div");
    actions.className = "coding-actions";
    actions.append(save, remove, state);
    body.append(label, area, actions);
  }

  function repaintBlocks(list) {
    list.forEach(refresh);
    updateLegend();
  }

  pop.querySelector(".pop-close").addEventListener("click", closePop);

  // ---- Suggestions (a separate layer, off until switched on) -------------------------

  let showSuggestions = false;
  let currentSg = null;
  // Boundaries the coder chose for the current suggestion, when they differ
  // from the suggested ones: {s, e, how: "word" | "selection", changed}.
  let adjust = null;
  const suggestionsById = new Map(); // id -> [id, code_id, start, end, score, source]
  const sgToggle = document.getElementById("sg-toggle");
  const sgCount = document.getElementById("sg-count");

  function addSuggestion(g) {
    suggestionsById.set(g[0], g);
    for (const b of blocksOverlapping(g[2], g[3])) b.sg.push(g);
  }

  function removeSuggestion(id) {
    const g = suggestionsById.get(id);
    if (!g) return [];
    suggestionsById.delete(id);
    const touched = blocksOverlapping(g[2], g[3]);
    for (const b of touched) b.sg = b.sg.filter((x) => x[0] !== id);
    if (sgCount) sgCount.textContent = String(suggestionsById.size);
    return touched;
  }

  function sgInOrder() {
    return Array.from(suggestionsById.values())
      .filter((g) => codes[g[1]])
      .sort((x, y) => x[2] - y[2] || x[3] - y[3] || x[0] - y[0]);
  }

  function suggestUrl(id, action) {
    return root.dataset.suggestUrl.replace(/\/0\/accept\/$/, "/" + id + "/" + action + "/");
  }

  function setCurrent(id) {
    const old = currentSg !== null ? suggestionsById.get(currentSg) : null;
    currentSg = id;
    const now = id !== null ? suggestionsById.get(id) : null;
    const seen = new Set();
    for (const g of [old, now]) {
      if (!g) continue;
      for (const b of blocksOverlapping(g[2], g[3])) {
        if (!seen.has(b)) {
          seen.add(b);
          paint(b);
        }
      }
    }
  }

  function closeSgPop() {
    if (sgPop) sgPop.hidden = true;
    dropAdjust();
  }

  function dropAdjust() {
    const old = adjust;
    adjust = null;
    if (old && old.changed) repaintSpans([old]);
  }

  // ---- Adjusting the boundaries before accepting ------------------------------

  const textEnd = segments.length ? segments[segments.length - 1].end : 0;
  const WORD_WINDOW = 200; // code points looked at around a boundary
  const QUOTE_CONTEXT = 40;

  function isSpace(ch) {
    return /\s/.test(ch);
  }

  // Words are runs of non-space characters (punctuation stays with its word).
  function prevWordStart(pos) {
    const from = Math.max(0, pos - WORD_WINDOW);
    const chars = Array.from(textOf(from, pos));
    let i = chars.length;
    while (i > 0 && isSpace(chars[i - 1])) i--;
    while (i > 0 && !isSpace(chars[i - 1])) i--;
    return from + i;
  }

  function nextWordStart(pos) {
    const chars = Array.from(textOf(pos, Math.min(textEnd, pos + WORD_WINDOW)));
    let i = 0;
    while (i < chars.length && !isSpace(chars[i])) i++;
    while (i < chars.length && isSpace(chars[i])) i++;
    return pos + i;
  }

  function prevWordEnd(pos) {
    const from = Math.max(0, pos - WORD_WINDOW);
    const chars = Array.from(textOf(from, pos));
    let i = chars.length;
    while (i > 0 && !isSpace(chars[i - 1])) i--;
    while (i > 0 && isSpace(chars[i - 1])) i--;
    return from + i;
  }

  function nextWordEnd(pos) {
    const chars = Array.from(textOf(pos, Math.min(textEnd, pos + WORD_WINDOW)));
    let i = 0;
    while (i < chars.length && isSpace(chars[i])) i++;
    while (i < chars.length && !isSpace(chars[i])) i++;
    return pos + i;
  }

  function setAdjust(s, e, how) {
    const g = suggestionsById.get(currentSg);
    if (!g) return;
    const old = adjust;
    adjust = { s: s, e: e, how: how, changed: s !== g[2] || e !== g[3] };
    repaintSpans([old, adjust, { s: g[2], e: g[3] }]);
    renderExtent(g);
  }

  function stepBoundary(kind) {
    const g = suggestionsById.get(currentSg);
    if (!g) return;
    let s = adjust ? adjust.s : g[2];
    let e = adjust ? adjust.e : g[3];
    if (kind === "start-earlier") s = prevWordStart(s);
    else if (kind === "start-later") s = nextWordStart(s);
    else if (kind === "end-earlier") e = prevWordEnd(e);
    else if (kind === "end-later") e = nextWordEnd(e);
    else return;
    if (e <= s) {
      announce("The passage cannot get any shorter.");
      return;
    }
    setAdjust(s, e, "word");
  }

  // The popup's quote: the passage to be coded, marked, in a little context.
  function renderExtent(g) {
    const s = adjust ? adjust.s : g[2];
    const e = adjust ? adjust.e : g[3];
    const changed = !!(adjust && adjust.changed);
    const before = textOf(Math.max(0, s - QUOTE_CONTEXT), s).split("\n").pop();
    const after = textOf(e, Math.min(textEnd, e + QUOTE_CONTEXT)).split("\n")[0];
    let body = Array.from(textOf(s, e));
    if (body.length > 240) body = body.slice(0, 110).concat([" … "], body.slice(-110));
    const pre = document.createElement("span");
    pre.className = "ctx";
    pre.textContent = (before ? "…" : "") + before;
    const mark = document.createElement("mark");
    mark.textContent = body.join("");
    const post = document.createElement("span");
    post.className = "ctx";
    post.textContent = after + (after ? "…" : "");
    sgPop.querySelector(".sg-quote").replaceChildren(pre, mark, post);
    const note = sgPop.querySelector(".sg-adjusted");
    if (note) {
      note.hidden = !changed;
      note.textContent = !changed
        ? ""
        : adjust.how === "selection"
          ? "Your selection will be coded instead of the suggested passage."
          : "The adjusted passage (highlighted) will be coded.";
    }
    const reset = sgPop.querySelector(".sg-reset");
    if (reset) reset.hidden = !changed;
    const accept = sgPop.querySelector(".sg-accept");
    if (accept) {
      const key = document.createElement("kbd");
      key.textContent = "a";
      const label = !changed ? "Accept " : adjust.how === "selection" ? "Accept with my selection " : "Accept adjusted ";
      accept.replaceChildren(document.createTextNode(label), key);
    }
  }

  function showSuggestion(id) {
    const g = suggestionsById.get(id);
    if (!g || !sgPop) return;
    closePicker();
    closePop();
    dropAdjust();
    setCurrent(id);
    const el = transcriptEl.querySelector('.sg[data-sg="' + id + '"]');
    if (!el) return;
    el.scrollIntoView({ block: "center" });
    sgPop.querySelector(".sg-code").textContent = codes[g[1]][3];
    sgPop.querySelector(".sg-why").textContent = "Score " + g[4].toFixed(2) + " · " + g[5];
    renderExtent(g);
    placePopup(sgPop, el.getBoundingClientRect());
    const first = sgPop.querySelector(".sg-accept");
    if (first) first.focus({ preventScroll: true });
  }

  function nextSuggestion() {
    const list = sgInOrder();
    if (!list.length) {
      closeSgPop();
      announce("No open suggestions left.");
      return;
    }
    const cur = currentSg !== null ? suggestionsById.get(currentSg) : null;
    const next = cur ? list.find((g) => g[2] > cur[2] || (g[2] === cur[2] && g[0] > cur[0])) : null;
    showSuggestion((next || list[0])[0]);
  }

  let deciding = false;

  async function decideSuggestion(action) {
    if (currentSg === null || deciding || !data.can_code) return;
    const id = currentSg;
    const list = sgInOrder();
    const after = list[list.findIndex((g) => g[0] === id) + 1];
    const body = action === "accept" && adjust && adjust.changed ? { start: adjust.s, end: adjust.e } : {};
    deciding = true;
    const result = await api("POST", suggestUrl(id, action), body);
    deciding = false;
    if (!result.ok) {
      showError(result.error);
      return;
    }
    clearError();
    const oldAdjust = adjust;
    adjust = null;
    const touched = removeSuggestion(id);
    currentSg = null;
    if (result.data.coding) {
      addCoding(result.data.coding);
      if (layer === "all" && !shownCoders.has(me)) {
        shownCoders.add(me);
        const box = root.querySelector('[data-coder="' + me + '"]');
        if (box) box.checked = true;
        paintAll();
      }
    }
    touched.forEach(paint);
    if (oldAdjust) repaintSpans([oldAdjust]);
    if (result.data.coding) repaintSpans([{ s: result.data.coding[3], e: result.data.coding[4] }]);
    updateLegend();
    announce(action === "accept" ? "Accepted: now your coding." : "Rejected.");
    if (after && suggestionsById.has(after[0])) showSuggestion(after[0]);
    else closeSgPop();
  }

  if (sgPop) {
    sgPop.querySelector(".pop-close").addEventListener("click", closeSgPop);
    const accept = sgPop.querySelector(".sg-accept");
    if (accept) accept.addEventListener("click", () => decideSuggestion("accept"));
    const reject = sgPop.querySelector(".sg-reject");
    if (reject) reject.addEventListener("click", () => decideSuggestion("reject"));
    const next = sgPop.querySelector(".sg-next");
    if (next) next.addEventListener("click", nextSuggestion);
    sgPop.querySelectorAll(".sg-step").forEach((button) => {
      button.addEventListener("click", () => stepBoundary(button.dataset.step));
    });
    const reset = sgPop.querySelector(".sg-reset");
    if (reset) {
      reset.addEventListener("click", () => {
        const g = suggestionsById.get(currentSg);
        if (g) setAdjust(g[2], g[3], "word");
      });
    }
  }
  if (sgToggle) {
    sgToggle.addEventListener("change", () => {
      showSuggestions = sgToggle.checked;
      if (!showSuggestions) {
        closeSgPop();
        currentSg = null;
      }
      paintAll();
    });
  }

  // ---- Events ------------------------------------------------------------------------

  function selectionInTranscript() {
    const sel = window.getSelection();
    if (!sel.rangeCount) return null;
    const range = sel.getRangeAt(0);
    if (!transcriptEl.contains(range.commonAncestorContainer)) {
      if (!range.intersectsNode(transcriptEl)) return null;
    }
    return range;
  }

  function onSelectionDone(target) {
    const range = selectionInTranscript();
    if (!range) return;
    if (range.collapsed) {
      const sgPiece = showSuggestions && target && target.closest ? target.closest(".sg") : null;
      if (sgPiece) {
        showSuggestion(+sgPiece.dataset.sg);
        return;
      }
      closeSgPop();
      const piece = target && target.closest ? target.closest(".cd") : null;
      if (piece) {
        closePicker();
        showCodingsAt(+piece.dataset.o, piece.getBoundingClientRect());
      } else {
        closePop();
      }
      return;
    }
    if (!data.can_code) return;
    const span = rangeToSpan(range);
    if (!span) return;
    // Selecting over the open suggestion sets the boundaries to accept.
    const g = sgPop && !sgPop.hidden && currentSg !== null ? suggestionsById.get(currentSg) : null;
    if (g && span.s < g[3] && span.e > g[2]) {
      window.getSelection().removeAllRanges();
      setAdjust(span.s, span.e, "selection");
      const accept = sgPop.querySelector(".sg-accept");
      if (accept) accept.focus({ preventScroll: true });
      return;
    }
    closeSgPop();
    const rects = range.getClientRects();
    openPicker(span, rects.length ? rects[rects.length - 1] : range.getBoundingClientRect());
  }

  // A drag that starts in the text may end outside it (in the margin, or
  // below the last turn): listen on the document, but only for such presses.
  let pressInText = false;
  transcriptEl.addEventListener("mousedown", (ev) => {
    pressInText = ev.button === 0;
  });
  document.addEventListener("mouseup", (ev) => {
    const inText = pressInText || transcriptEl.contains(ev.target);
    pressInText = false;
    if (ev.button !== 0 || !inText) return;
    if (picker.contains(ev.target) || pop.contains(ev.target)) return;
    if (sgPop && sgPop.contains(ev.target)) return;
    // Let the browser finish updating the selection first.
    setTimeout(() => onSelectionDone(ev.target), 0);
  });

  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      closePicker();
      closePop();
      closeSgPop();
      return;
    }
    const focus = document.activeElement;
    const onText = !focus || focus === document.body || focus === transcriptEl;
    const plain = !ev.ctrlKey && !ev.metaKey && !ev.altKey;
    const inSgPop = sgPop && sgPop.contains(focus);
    if (showSuggestions && plain && picker.hidden && (onText || inSgPop)) {
      const sgOpen = currentSg !== null && !sgPop.hidden && data.can_code;
      if (sgOpen && (ev.key === "ArrowLeft" || ev.key === "ArrowRight")) {
        ev.preventDefault();
        const edge = ev.shiftKey ? "start-" : "end-";
        stepBoundary(edge + (ev.key === "ArrowLeft" ? "earlier" : "later"));
        return;
      }
      if (ev.key === "n") {
        ev.preventDefault();
        nextSuggestion();
        return;
      }
      if ((ev.key === "a" || ev.key === "r") && currentSg !== null) {
        ev.preventDefault();
        decideSuggestion(ev.key === "a" ? "accept" : "reject");
        return;
      }
    }
    // Keyboard users: select with Shift+arrows (caret browsing), then Enter.
    if (ev.key === "Enter" && onText && picker.hidden) {
      const range = selectionInTranscript();
      if (range && !range.collapsed) {
        ev.preventDefault();
        onSelectionDone(null);
      }
    }
  });

  document.addEventListener("mousedown", (ev) => {
    if (!picker.hidden && !picker.contains(ev.target)) closePicker();
    if (!pop.hidden && !pop.contains(ev.target)) closePop();
    // A press in the text may start a selection for the open suggestion:
    // the popup closes on release if it is not (onSelectionDone).
    const inText = transcriptEl.contains(ev.target);
    if (sgPop && !sgPop.hidden && !sgPop.contains(ev.target) && !inText) closeSgPop();
  });

  root.querySelectorAll('input[name="layer"]').forEach((radio) => {
    radio.addEventListener("change", () => {
      layer = radio.value;
      root.querySelectorAll("[data-coder]").forEach((box) => {
        box.disabled = layer === "mine";
      });
      closePop();
      paintAll();
    });
  });
  root.querySelectorAll("[data-coder]").forEach((box) => {
    box.addEventListener("change", () => {
      if (box.checked) shownCoders.add(+box.dataset.coder);
      else shownCoders.delete(+box.dataset.coder);
      closePop();
      paintAll();
    });
  });

  // htmx fragments (memos) that the server refuses: say why.
  document.body.addEventListener("htmx:responseError", (ev) => {
    const xhr = ev.detail.xhr;
    showError(xhr.status === 403 ? "You may not do this." : "The server refused (" + xhr.status + ").");
  });

  // ---- Start ---------------------------------------------------------------------------

  transcriptEl.tabIndex = -1;
  for (const c of data.codings) addCoding(c);
  for (const g of data.suggestions || []) addSuggestion(g);
  blocks.forEach((b) => {
    b.dirty = true;
  });
  updateLegend();

  function ready(started) {
    // Read by the browser tests (and anyone curious about painting cost).
    root.dataset.paintMs = String(Math.round(performance.now() - started));
    root.dataset.ready = "1";
  }

  if ("IntersectionObserver" in window) {
    let first = true;
    observer = new IntersectionObserver(
      (entries) => {
        const started = performance.now();
        for (const entry of entries) {
          const b = blockOf.get(entry.target);
          if (!entry.isIntersecting) {
            near.delete(b);
            continue;
          }
          near.add(b);
          if (b.dirty) paint(b);
        }
        if (first) ready(started);
        first = false;
      },
      { rootMargin: "1500px 0px" },
    );
    blocks.forEach((b) => observer.observe(b.el));
    if (!blocks.length) ready(performance.now());
  } else {
    const started = performance.now();
    blocks.forEach(paint);
    ready(started);
  }

  // ?at=<offset>, from the disagreement list: bring that place into view.
  const atParam = new URLSearchParams(location.search).get("at");
  const at = atParam === null ? NaN : Number(atParam);
  const target = blocks.find((b) => b.start <= at && at < b.end);
  if (target) target.el.scrollIntoView({ block: "center" });
})();
