// Shared by every dashboard page: the API with the operator's token (kept in sessionStorage),
// server-sent events read over fetch (EventSource cannot send an Authorization header),
// formatting, and an SVG line chart. No dependencies.
'use strict';
const C2F = (() => {
  const TOKEN_KEY = 'c2f.token';
  const main = document.getElementById('main');
  const tokenForm = document.getElementById('token-form');
  const tokenInput = document.getElementById('token-input');
  let waitingForToken = [];

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  function askToken(why) {
    document.getElementById('token-why').textContent = why;
    tokenForm.hidden = false;
    tokenInput.focus();
    return new Promise(resolve => waitingForToken.push(resolve));
  }
  tokenForm.addEventListener('submit', e => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, tokenInput.value.trim());
    tokenInput.value = '';
    tokenForm.hidden = true;
    const w = waitingForToken; waitingForToken = [];
    w.forEach(r => r());
    restartStream();
  });
  document.getElementById('token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY); tokenForm.hidden = true;
  });
  document.getElementById('token-open').addEventListener('click', () => askToken(
    token() ? 'A token is set for this tab; enter another to replace it.' : 'Enter an operator token.'));

  function headers(extra) {
    const h = Object.assign({ 'Accept': 'application/json' }, extra || {});
    const t = token();
    if (t) h['Authorization'] = 'Bearer ' + t;
    return h;
  }

  // JSON from the API; on 401/403 asks for a (better) token and tries again.
  async function api(path, opts) {
    opts = opts || {};
    for (;;) {
      const used = token();
      const r = await fetch(path, { method: opts.method || 'GET', headers: headers(opts.body ? { 'Content-Type': 'application/json' } : null),
        body: opts.body ? JSON.stringify(opts.body) : undefined });
      if ((r.status === 401 || r.status === 403) && token() !== used) continue; // a token arrived meanwhile
      if (r.status === 401 || r.status === 403) {
        const msg = (await r.json().catch(() => ({}))).error || ('HTTP ' + r.status);
        await askToken((r.status === 403 ? 'This token may not do that: ' : 'A token is needed: ') + msg
          + (opts.method && opts.method !== 'GET' ? ' (an admin token is needed to change things)' : ''));
        continue;
      }
      if (r.status === 404 && opts.optional) return null; // "not there yet" is an answer, not an error
      const text = await r.text();
      const body = text ? JSON.parse(text) : {};
      if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status + ' on ' + path));
      return body;
    }
  }

  function showError(e) {
    const el = document.getElementById('error');
    if (!e) { el.hidden = true; return; }
    el.textContent = String(e.message || e); el.hidden = false;
  }

  // --- live events ---
  const listeners = {};
  const live = document.getElementById('live');
  let streamAbort = null;
  let watched = null; // null: every event; else the ids (comma-joined) of the devices this page shows
  // Narrows the stream to these devices' events (and the coalesced "fleet" event); reconnects only on a change.
  function watch(ids) {
    const next = [...ids].sort().join(',');
    if (next === watched) return;
    watched = next; restartStream();
  }
  function setLive(state, text) { live.dataset.state = state; live.textContent = text; }
  function on(event, fn) { (listeners[event] = listeners[event] || []).push(fn); if (!streamAbort) restartStream(); }
  function restartStream() {
    if (streamAbort) streamAbort.abort();
    if (!Object.keys(listeners).length) return;
    const ctl = new AbortController(); streamAbort = ctl;
    (async () => {
      let delay = 1000;
      while (!ctl.signal.aborted) {
        try {
          setLive('connecting', 'connecting…');
          const used = token();
          const r = await fetch('/api/v1/dashboard/events' + (watched == null ? '' : '?devices=' + encodeURIComponent(watched)), { headers: headers({ 'Accept': 'text/event-stream' }), signal: ctl.signal });
          if ((r.status === 401 || r.status === 403) && token() !== used) continue;
          if (r.status === 401 || r.status === 403) { setLive('down', 'needs token'); await askToken('A token is needed for live updates.'); continue; }
          if (!r.ok || !r.body) throw new Error('HTTP ' + r.status);
          setLive('live', 'live'); delay = 1000;
          (listeners.open || []).forEach(fn => fn());
          const reader = r.body.getReader(); const dec = new TextDecoder(); let buf = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buf += dec.decode(value, { stream: true });
            let i;
            while ((i = buf.indexOf('\n\n')) >= 0) { dispatch(buf.slice(0, i)); buf = buf.slice(i + 2); }
          }
        } catch (e) { if (ctl.signal.aborted) return; }
        setLive('down', 'reconnecting…');
        await new Promise(r => setTimeout(r, delay)); delay = Math.min(delay * 2, 15000);
      }
    })();
  }
  function dispatch(frame) {
    let event = 'message', data = '';
    for (const line of frame.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trim();
    }
    if (!data) return;
    let payload; try { payload = JSON.parse(data); } catch (e) { return; }
    (listeners[event] || []).forEach(fn => fn(payload));
  }

  // Runs fn at most once per `ms`, and once more after the last call (coalesces event bursts).
  function throttle(fn, ms) {
    let last = 0, timer = null;
    return () => {
      const wait = Math.max(0, last + ms - Date.now());
      if (timer) return;
      timer = setTimeout(() => { timer = null; last = Date.now(); fn(); }, wait);
    };
  }

  // --- formatting and DOM ---
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c != null) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  function ms(v) { return v == null || Number.isNaN(v) ? '–' : (v >= 10000 ? (v / 1000).toFixed(1) + ' s' : Math.round(v) + ' ms'); }
  function ago(iso) {
    if (!iso) return '–';
    const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (s < 5) return 'just now'; if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.round(s / 60) + ' min ago'; if (s < 86400) return Math.round(s / 3600) + ' h ago';
    return new Date(iso).toLocaleString();
  }
  function time(iso) { return iso ? el('time', { datetime: iso, title: iso }, new Date(iso).toLocaleString()) : '–'; }
  function badge(state) { return el('span', { class: 'badge s-' + state }, String(state || '–').toLowerCase().replace('_', ' ')); }
  function facts(dl, pairs) {
    dl.replaceChildren(...pairs.filter(p => p).map(([k, v]) => el('div', null, el('dt', null, k), el('dd', null, v == null || v === '' ? '–' : v))));
  }

  // --- SVG line chart ---
  const SVG = 'http://www.w3.org/2000/svg';
  function s(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text != null) e.textContent = text;
    return e;
  }
  // series: [{name, points: [[x, y]...]}]; x in ms since epoch. opts: {target, label, xFormat}
  function lineChart(container, series, opts) {
    opts = opts || {};
    const W = 960, H = 280, L = 60, R = 12, T = 12, B = 30;
    const pts = series.flatMap(x => x.points);
    container.dataset.points = String(series.length ? series[0].points.length : 0);
    if (!pts.length) { container.replaceChildren(el('p', { class: 'muted' }, opts.empty || 'No data yet.')); return; }
    let x0 = Math.min(...pts.map(p => p[0])), x1 = Math.max(...pts.map(p => p[0]));
    if (x1 === x0) { const pad = x0 > 1e11 ? 30000 : 1; x0 -= pad; x1 += pad; } // epoch ms or an index
    let y1 = Math.max(...pts.map(p => p[1]), opts.target || 0) * 1.1; if (!(y1 > 0)) y1 = 1;
    const X = x => L + (x - x0) / (x1 - x0) * (W - L - R), Y = y => T + (1 - y / y1) * (H - T - B);
    const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': opts.label || 'chart' });
    svg.append(s('title', null, opts.label || 'chart'));
    for (let i = 0; i <= 4; i++) {
      const v = y1 * i / 4, y = Y(v);
      svg.append(s('line', { class: 'grid', x1: L, x2: W - R, y1: y, y2: y }));
      svg.append(s('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' }, ms(v)));
    }
    const fmt = opts.xFormat || (x => new Date(x).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }));
    for (let i = 0; i <= 3; i++) {
      const x = x0 + (x1 - x0) * i / 3;
      svg.append(s('text', { x: X(x), y: H - 8, 'text-anchor': i === 0 ? 'start' : i === 3 ? 'end' : 'middle' }, fmt(x)));
    }
    svg.append(s('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
    svg.append(s('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
    if (opts.target) {
      svg.append(s('line', { class: 'target', x1: L, x2: W - R, y1: Y(opts.target), y2: Y(opts.target) }));
    }
    series.forEach((ser, i) => {
      const g = s('g', { class: 'series-' + i, 'data-series': ser.name });
      if (ser.points.length > 1) {
        g.append(s('polyline', { class: 'line series-' + i, points: ser.points.map(p => X(p[0]).toFixed(1) + ',' + Y(p[1]).toFixed(1)).join(' ') }));
      }
      if (ser.points.length <= 60) ser.points.forEach(p => {
        const c = s('circle', { cx: X(p[0]).toFixed(1), cy: Y(p[1]).toFixed(1), r: 2.5, class: 'series-' + i });
        c.append(s('title', null, ser.name + ' ' + ms(p[1]) + ' at ' + new Date(p[0]).toLocaleTimeString()));
        g.append(c);
      });
      svg.append(g);
    });
    const legend = el('div', { class: 'legend', 'aria-hidden': 'true' }, ...series.map((ser, i) => el('span', { class: 'series-' + i }, ser.name)),
      opts.target ? el('span', { class: 'tgt' }, 'target ' + ms(opts.target)) : null);
    container.replaceChildren(legend, svg);
  }

  return { api, headers, on, watch, throttle, el, ms, ago, time, badge, facts, lineChart, showError, subject: main.dataset.subject, svgEl: s };
})();
