/// The dashboard's stylesheet and script, compiled into the binary: nothing is loaded from elsewhere.
enum Assets {
    static let css = """
    :root { color-scheme: light dark; --fg: #1d1d1f; --bg: #ffffff; --muted: #6b6b70; --line: #dddde2; --head: #f4f4f7; --link: #0b62c4; }
    @media (prefers-color-scheme: dark) {
      :root { --fg: #e8e8ea; --bg: #17181b; --muted: #9a9aa2; --line: #34353a; --head: #222328; --link: #6fb1ff; }
      figure.chart svg, .dag svg { filter: invert(0.92) hue-rotate(180deg); }
    }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
    header { display: flex; gap: 14px; align-items: center; padding: 8px 18px; border-bottom: 1px solid var(--line); background: var(--head);
             position: sticky; top: 0; z-index: 1; }
    header .home { font-weight: 700; text-decoration: none; color: var(--fg); }
    header .workspace { color: var(--muted); font-family: ui-monospace, monospace; font-size: 12px; }
    header .spacer { flex: 1; }
    #live::before { content: "●"; margin-right: 4px; color: #999; }
    #live[data-state="live"]::before { color: #2ca02c; }
    #live[data-state="reconnecting"]::before { color: #d62728; }
    #live[data-state="paused"]::before { color: #ff7f0e; }
    main { padding: 8px 18px 40px; max-width: 1400px; }
    a { color: var(--link); }
    h1 { font-size: 22px; margin: 12px 0 6px; }
    h2 { font-size: 17px; margin: 20px 0 8px; }
    h3 { font-size: 14px; margin: 12px 0 4px; }
    .muted { color: var(--muted); font-weight: normal; }
    .crumbs { color: var(--muted); margin-top: 8px; }
    table { border-collapse: collapse; margin: 6px 0; }
    th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
    thead th { background: var(--head); position: sticky; top: 41px; }
    th a { color: inherit; text-decoration: none; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    td.reasons { max-width: 520px; color: var(--muted); }
    table.compare td.changed { background: rgba(255, 193, 7, 0.18); }
    .delta { color: var(--muted); font-size: 12px; }
    td.best { font-weight: 700; background: rgba(44, 160, 44, 0.15); }
    .badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; background: #e4e4e8; color: #333; white-space: nowrap; }
    .s-succeeded, .s-up-to-date, .s-done { background: #d8f0d8; color: #175c17; }
    .s-running, .s-waiting { background: #cfe3ff; color: #0b3d7a; }
    .s-failed { background: #ffd2d2; color: #8a1111; }
    .s-stale, .s-early_stopped { background: #fff1c2; color: #6b4e00; }
    .tag { font-size: 11px; border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; }
    .error { color: #c62828; }
    .note { padding: 6px 10px; border-left: 4px solid #999; background: var(--head); }
    .note.failed { border-color: #c62828; }
    .note.running { border-color: #2c7be5; }
    .bar { height: 8px; background: var(--line); border-radius: 4px; max-width: 420px; overflow: hidden; }
    .bar div { height: 100%; background: #2ca02c; }
    .charts { display: flex; flex-wrap: wrap; gap: 12px; }
    figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
    figure.chart svg { display: block; max-width: 100%; height: auto; }
    .dag { overflow-x: auto; border: none; }
    section.slices { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-start; }
    section.slices h2 { flex-basis: 100%; }
    form.filter { margin: 10px 0; }
    form.axis { margin: 6px 0; font-size: 13px; }
    form.filter input[type=search] { font: 13px ui-monospace, monospace; padding: 4px 6px; }
    details.columns { margin: 6px 0; }
    details.columns label { margin-right: 10px; white-space: nowrap; }
    article.report { max-width: 980px; }
    article.report img { max-width: 100%; border: 1px solid var(--line); border-radius: 6px; }
    @media (prefers-color-scheme: dark) { article.report img { filter: invert(0.92) hue-rotate(180deg); } }
    section.control form { display: inline-block; margin: 4px 12px 4px 0; }
    section.control input[type=number] { width: 7em; }
    table.requests td { font-size: 13px; }
    .s-applied { background: #d8f0d8; color: #175c17; }
    .s-refused, .s-user_canceled { background: #ffd2d2; color: #8a1111; }
    .s-pending { background: #fff1c2; color: #6b4e00; }
    td.note-cell button { font-size: 11px; padding: 0 6px; }
    pre.config { background: var(--head); padding: 8px 10px; font-size: 12px; overflow: auto; max-height: 480px; }
    pre.config .k { color: #0b62c4; } pre.config .s { color: #2a7d2a; } pre.config .n { color: #b35900; }
    pre.log { max-height: 360px; overflow: auto; background: var(--head); padding: 8px; font-size: 12px; }
    nav.pages { margin: 8px 0; }
    #tooltip { position: fixed; pointer-events: none; background: #222; color: #fff; font-size: 12px; padding: 3px 7px; border-radius: 4px;
               display: none; z-index: 2; }
    """

    /// Live updates: an `EventSource` on `/events`; on each change the page's live region is fetched again
    /// (`X-Fragment: live`) and swapped, one fetch at a time. `EventSource` reconnects by itself after a
    /// server restart; a pause box stops the swaps, and so does typing in a field of the page (the swap waits
    /// until it loses focus); ticked boxes stay ticked. Hovering a chart mark shows its title at once. A button
    /// with `data-confirm` asks first.
    static let javascript = """
    "use strict";
    (function () {
      const live = document.getElementById("live");
      const pause = document.getElementById("pause");
      const region = document.querySelector("[data-live]");
      let inFlight = false, again = false, version = region.dataset.version;
      window.labmakeRefreshes = 0;
      window.labmakeDeferred = 0;
      function state(name, text) { live.dataset.state = name; live.textContent = text; }
      function editing() {
        const field = document.activeElement;
        if (!field || !region.contains(field)) return false;
        return field.tagName === "TEXTAREA" || field.tagName === "SELECT" ||
          (field.tagName === "INPUT" && !["checkbox", "radio", "submit", "button"].includes(field.type));
      }
      async function refresh() {
        if (editing()) { window.labmakeDeferred += 1; again = true; return; }
        if (pause.checked) { again = true; return; }
        if (inFlight) { again = true; return; }
        inFlight = true;
        try {
          const response = await fetch(location.pathname + location.search, { headers: { "X-Fragment": "live" } });
          if (response.ok) {
            const text = await response.text();
            if (editing()) { again = true; return; }
            const ticked = Array.from(region.querySelectorAll("input[type=checkbox]:checked")).map(function (box) { return box.name + "=" + box.value; });
            region.innerHTML = text;
            region.querySelectorAll("input[type=checkbox]").forEach(function (box) {
              if (ticked.includes(box.name + "=" + box.value)) box.checked = true;
            });
            window.labmakeRefreshes += 1;
            document.body.dataset.version = String(version);
          }
        } catch (error) {
          state("reconnecting", "reconnecting…");
        } finally {
          inFlight = false;
          if (again) { again = false; setTimeout(refresh, 50); }
        }
      }
      document.addEventListener("focusout", function () {
        if (again && !inFlight) { again = false; setTimeout(refresh, 0); }
      });
      // Copy buttons: the text of the element they name, to the clipboard (a hidden field where the clipboard API is not offered).
      document.addEventListener("click", function (event) {
        const button = event.target.closest && event.target.closest("button[data-copy]");
        if (!button) return;
        const text = document.getElementById(button.dataset.copy).textContent;
        window.labmakeCopied = text;
        const done = function () { button.textContent = "copied"; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { done(); });
        } else {
          const field = document.createElement("textarea");
          field.value = text; field.style.position = "fixed"; field.style.opacity = "0";
          document.body.appendChild(field); field.select();
          try { document.execCommand("copy"); } catch (error) {}
          field.remove(); done();
        }
      });
      document.addEventListener("submit", function (event) {
        const question = event.submitter && event.submitter.dataset.confirm;
        if (question && !window.confirm(question)) event.preventDefault();
      });
      pause.addEventListener("change", function () {
        if (pause.checked) { state("paused", "paused"); } else { state("live", "live"); refresh(); }
      });
      if (window.EventSource) {
        const events = new EventSource((region.dataset.prefix || "") + "/events");
        events.addEventListener("open", function () { if (!pause.checked) state("live", "live"); });
        events.addEventListener("error", function () { state("reconnecting", "reconnecting…"); });
        events.addEventListener("change", function (event) {
          const next = JSON.parse(event.data).version;
          if (next !== version) { version = next; refresh(); }
        });
      } else {
        setInterval(refresh, 2000);
      }
      const tooltip = document.createElement("div");
      tooltip.id = "tooltip";
      document.body.appendChild(tooltip);
      document.addEventListener("mouseover", function (event) {
        const mark = event.target.closest && event.target.closest("svg [data-trial], svg [data-stage]");
        const title = mark && mark.querySelector("title");
        if (!title) { tooltip.style.display = "none"; return; }
        tooltip.textContent = title.textContent;
        tooltip.style.display = "block";
      });
      document.addEventListener("mousemove", function (event) {
        tooltip.style.left = (event.clientX + 12) + "px";
        tooltip.style.top = (event.clientY + 12) + "px";
      });

      // Brushing on parallel coordinates: drag along an axis, and the range becomes terms of the page's filter
      // (`lr>=0.001 lr<=0.01`, or `optimizer:adam,sgd` on a choice axis), applied to the table and every chart.
      function svgPoint(svg, event) {
        const point = svg.createSVGPoint();
        point.x = event.clientX; point.y = event.clientY;
        return point.matrixTransform(svg.getScreenCTM().inverse());
      }
      function number(x) { return String(Number(x.toPrecision(4))); }
      // The value at pixel `y` of a linear or logarithmic axis whose dataset gives `low`, `high` (its values, in logs
      // on a log scale) and `from`, `to` (their pixels).
      function valueAt(d, y) {
        const low = Number(d.low), high = Number(d.high), from = Number(d.from), to = Number(d.to);
        const v = low + (y - from) / (to - from) * (high - low);
        return d.scale === "log" ? Math.pow(10, v) : v;
      }
      // A vertical drag in `svg` from `event`: a band `x`…`x + width` follows the pointer; `done(y0, y1)` gets the
      // two ends in the chart's coordinates, unless the pointer barely moved.
      let drag = null;
      function startDrag(svg, event, x, width, fill, done) {
        event.preventDefault();
        const p = svgPoint(svg, event);
        const band = document.createElementNS("http://www.w3.org/2000/svg", "rect");
        band.setAttribute("x", x); band.setAttribute("width", width);
        band.setAttribute("y", p.y); band.setAttribute("height", 0);
        band.setAttribute("fill", fill); band.setAttribute("pointer-events", "none");
        svg.appendChild(band);
        drag = { svg: svg, start: p.y, band: band, done: done };
      }
      document.addEventListener("mousemove", function (event) {
        if (!drag) return;
        const y = svgPoint(drag.svg, event).y;
        drag.band.setAttribute("y", Math.min(y, drag.start)); drag.band.setAttribute("height", Math.abs(y - drag.start));
      });
      document.addEventListener("mouseup", function (event) {
        if (!drag) return;
        const d = drag; drag = null;
        const y = svgPoint(d.svg, event).y;
        if (Math.abs(y - d.start) < 3) { d.band.remove(); return; }
        d.done(d.start, y);
      });
      function terms(axis, y0, y1) {
        const d = axis.dataset, field = d.axis;
        const lowY = Math.max(y0, y1), highY = Math.min(y0, y1);
        if (d.scale === "category") {
          const options = JSON.parse(d.options), from = Number(d.from), step = Number(d.step);
          const chosen = options.filter(function (_, i) { const y = from - step * (i + 0.5); return y <= lowY && y >= highY; });
          return chosen.length ? [field + ":" + chosen.join(",")] : [];
        }
        return [field + ">=" + number(valueAt(d, lowY)), field + "<=" + number(valueAt(d, highY))];
      }
      window.labmakeBrushTerms = terms;
      document.addEventListener("mousedown", function (event) {
        const svg = event.target.closest && event.target.closest("[data-testid=parallel] svg");
        if (!svg || event.target.closest("text[data-axis-label]")) return;
        const p = svgPoint(svg, event);
        const axis = [...svg.querySelectorAll("line[data-axis]")].find(function (a) { return Math.abs(Number(a.getAttribute("x1")) - p.x) < 14; });
        if (!axis) return;
        startDrag(svg, event, Number(axis.getAttribute("x1")) - 7, 14, "rgba(31,119,180,0.25)", function (y0, y1) {
          const field = axis.dataset.axis;
          const url = new URL(location.href);
          const kept = (url.searchParams.get("filter") || "").split(/\\s+/).filter(function (t) {
            return t && !t.startsWith(field + ">=") && !t.startsWith(field + "<=") && !t.startsWith(field + ":");
          });
          url.searchParams.set("filter", kept.concat(terms(axis, y0, y1)).join(" "));
          url.searchParams.delete("page");
          location.href = url.toString();
        });
      });

      // Parallel coordinates: drag an axis's name sideways, and the axes' order goes to the URL (`axes=a,b,c`).
      let axisDrag = null;
      document.addEventListener("mousedown", function (event) {
        const label = event.target.closest && event.target.closest("text[data-axis-label]");
        if (!label) return;
        event.preventDefault();
        axisDrag = { svg: label.ownerSVGElement, label: label };
      });
      document.addEventListener("mouseup", function (event) {
        if (!axisDrag) return;
        const d = axisDrag; axisDrag = null;
        const x = svgPoint(d.svg, event).x;
        const others = [...d.svg.querySelectorAll("text[data-axis-label]")].filter(function (t) { return t !== d.label; });
        const order = others.map(function (t) { return t.dataset.axisLabel; });
        const index = others.filter(function (t) { return Number(t.getAttribute("x")) < x; }).length;
        order.splice(index, 0, d.label.dataset.axisLabel);
        const before = [...d.svg.querySelectorAll("text[data-axis-label]")].map(function (t) { return t.dataset.axisLabel; });
        if (order.join(",") === before.join(",")) return;
        const url = new URL(location.href);
        url.searchParams.delete("axis");
        url.searchParams.set("axes", order.join(","));
        location.href = url.toString();
      });

      // Zoom: drag up or down on a chart's plot area, and the values spanned become its range in the URL (`y=LOW:HIGH`).
      document.addEventListener("mousedown", function (event) {
        const area = event.target.closest && event.target.closest("rect[data-zoom]");
        if (!area) return;
        startDrag(area.ownerSVGElement, event, area.getAttribute("x"), area.getAttribute("width"), "rgba(31,119,180,0.15)", function (y0, y1) {
          const a = valueAt(area.dataset, y0), b = valueAt(area.dataset, y1);
          const url = new URL(location.href);
          url.searchParams.set("y", number(Math.min(a, b)) + ":" + number(Math.max(a, b)));
          location.href = url.toString();
        });
      });
    })();
    """
}
