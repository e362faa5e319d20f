'use strict';
// The fleet table, one page at a time: the server searches, sorts and pages (GET /api/v1/dashboard/fleet),
// this script keeps the query (also in the address bar), draws the page and listens only to the
// devices it shows (plus a coalesced "fleet" event when devices come or go).
(() => {
  const { api, on, throttle, el, ms, ago, badge } = C2F;
  const LIMIT = 50;
  const table = document.getElementById('devices');
  const tbody = table.querySelector('tbody');
  const heads = [...table.querySelectorAll('th')];
  const f = { text: document.getElementById('f-text'), status: document.getElementById('f-status'), over: document.getElementById('f-over') };
  const pager = { first: document.getElementById('page-first'), prev: document.getElementById('page-prev'),
    next: document.getElementById('page-next'), last: document.getElementById('page-last'), info: document.getElementById('page-info') };
  const url = new URLSearchParams(location.search);
  const state = { q: url.get('q') || '', status: url.get('status') || '', over: url.get('over') === 'true',
    sort: url.get('sort') || 'id', order: url.get('order') === 'desc' ? 'desc' : 'asc', page: Math.max(1, parseInt(url.get('page'), 10) || 1) };
  // an address edited by hand must not leave the page stuck on a 400: unknown values fall back to the defaults
  if (!heads.some(h => h.dataset.key === state.sort)) state.sort = 'id';
  if (![...f.status.options].some(o => o.value === state.status)) state.status = '';
  state.q = state.q.slice(0, 64);
  let shown = null, loadSeq = 0, rendered = false;

  f.text.value = state.q; f.status.value = state.status; f.over.checked = state.over;
  const over = d => d.targetMs != null && d.p95Ms != null && d.p95Ms > d.targetMs;
  function latencyCell(d, key) {
    const v = d[key];
    if (v == null) return el('td', { class: 'num', 'data-label': key.replace('Ms', '') }, '–');
    const cls = key === 'p95Ms' && d.targetMs != null ? (over(d) ? 'num over' : 'num within') : 'num';
    const note = key === 'p95Ms' && over(d) ? el('span', { class: 'sr-only' }, ' (over target)') : null;
    return el('td', { class: cls, 'data-label': key.replace('Ms', '') }, ms(v) + (key === 'p95Ms' && over(d) ? ' ▲' : ''), note);
  }
  function row(d) {
    return el('tr', { 'data-device-id': d.id, 'data-status': d.status },
      el('td', { 'data-label': 'Device' }, el('a', { href: '/devices/' + encodeURIComponent(d.id) }, d.id)),
      el('td', { 'data-label': 'Status', title: d.offlineReason || (d.job ? d.job.kind + ' ' + d.job.progress + '%' : '') },
        badge(d.status), d.job ? el('a', { href: '/rollouts/' + encodeURIComponent(d.job.rolloutId), class: 'muted' }, ' ' + (d.job.progress || 0) + '%') : null),
      el('td', { 'data-label': 'Bundle' }, d.bundleId ? d.bundleId + (d.bundleVersion ? ' ' + d.bundleVersion : '') : '–'),
      el('td', { 'data-label': 'Schedule', title: d.runningScheduleId && d.runningScheduleId !== d.scheduleId ? 'announced at birth: ' + d.scheduleId : null },
        d.runningScheduleId || d.scheduleId || '–'),
      latencyCell(d, 'p50Ms'), latencyCell(d, 'p95Ms'), latencyCell(d, 'p99Ms'),
      el('td', { class: 'num', 'data-label': 'Target' }, d.targetMs != null ? ms(d.targetMs) : '–'),
      el('td', { 'data-label': 'Delegate' }, d.delegate || '–'),
      el('td', { 'data-label': 'Last seen' }, el('time', { datetime: d.lastSeen, title: d.lastSeen }, ago(d.lastSeen))));
  }
  function render() {
    if (!shown) return;
    const r = shown, s = r.summary, n = x => x.toLocaleString('en-US');
    document.getElementById('counts').textContent = `${n(s.total)} total · ${n(s.online)} online · ${n(s.installing)} installing · ${n(s.offline)} offline`
      + (r.matched !== s.total ? ` · ${n(r.matched)} match` : '') + (s.truncated ? ' · list truncated' : '');
    tbody.replaceChildren(...(r.devices.length ? r.devices.map(row)
      : [el('tr', null, el('td', { colspan: 10 }, s.total ? 'No device matches the filter.' : 'No device has been seen yet.'))]));
    const from = r.matched ? (r.page - 1) * r.limit + 1 : 0, to = Math.min(r.matched, r.page * r.limit);
    pager.info.textContent = `page ${n(r.page)} of ${n(r.pages)} (${n(from)}–${n(to)} of ${n(r.matched)})`;
    pager.first.disabled = pager.prev.disabled = r.page <= 1;
    pager.next.disabled = pager.last.disabled = r.page >= r.pages;
    heads.forEach(h => h.dataset.key === r.sort ? h.setAttribute('aria-sort', r.order === 'desc' ? 'descending' : 'ascending') : h.removeAttribute('aria-sort'));
  }
  function query() {
    const qs = new URLSearchParams({ sort: state.sort, order: state.order, page: String(state.page), limit: String(LIMIT) });
    if (state.q) qs.set('q', state.q);
    if (state.status) qs.set('status', state.status);
    if (state.over) qs.set('over', 'true');
    return qs;
  }
  async function loadDevices() {
    const seq = ++loadSeq, qs = query();
    try {
      const r = await api('/api/v1/dashboard/fleet?' + qs);
      if (seq !== loadSeq) return; // a newer query was sent meanwhile: its answer wins
      if (r.page > r.pages) { state.page = r.pages; return loadDevices(); } // the fleet shrank under the page
      shown = r; render(); C2F.showError(null);
      table.dataset.query = qs.toString(); // what the table shows now (tests and benchmarks wait on it)
      history.replaceState(null, '', '?' + qs);
      C2F.watch(r.devices.map(d => d.id));
      if (!rendered) { rendered = true; performance.mark('c2f-fleet-rendered'); table.dataset.rendered = 'true'; }
    } catch (e) { C2F.showError(e); }
  }
  const go = changes => { Object.assign(state, changes); loadDevices(); };
  heads.forEach(th => th.querySelector('button').addEventListener('click', () => {
    const key = th.dataset.key;
    go({ sort: key, order: state.sort === key && state.order === 'asc' ? 'desc' : 'asc', page: 1 });
  }));
  pager.first.addEventListener('click', () => go({ page: 1 }));
  pager.prev.addEventListener('click', () => go({ page: Math.max(1, state.page - 1) }));
  pager.next.addEventListener('click', () => go({ page: state.page + 1 }));
  pager.last.addEventListener('click', () => go({ page: shown ? shown.pages : 1 }));
  document.getElementById('filters').addEventListener('submit', e => e.preventDefault());
  let typing = null;
  f.text.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(() => go({ q: f.text.value.trim(), page: 1 }), 250); });
  f.status.addEventListener('change', () => go({ status: f.status.value, page: 1 }));
  f.over.addEventListener('change', () => go({ over: f.over.checked, page: 1 }));

  async function loadRollouts() {
    try {
      const list = (await api('/api/v1/rollouts')).rollouts;
      const tb = document.querySelector('#rollouts tbody');
      tb.replaceChildren(...(list.length ? list.map(r => el('tr', { 'data-rollout-id': r.id },
        el('td', { 'data-label': 'Rollout' }, el('a', { href: '/rollouts/' + encodeURIComponent(r.id) }, r.id)),
        el('td', { 'data-label': 'Bundle' }, r.bundleId), el('td', { 'data-label': 'State' }, badge(r.state)),
        el('td', { 'data-label': 'Wave' }, r.currentWave == null ? '–' : String(r.currentWave + 1)),
        el('td', { 'data-label': 'Created' }, C2F.time(r.createdAt)))) : [el('tr', null, el('td', { colspan: 5 }, 'No rollout yet.'))]));
    } catch (e) { C2F.showError(e); }
  }
  // registry writes land just after the event, and the server's table may be up to a second old: refresh
  // soon, and once more when a table built after the write is certain (a throttle would fire at once when idle)
  const soon = throttle(loadDevices, 400);
  let laterTimer = null;
  const later = () => { if (!laterTimer) laterTimer = setTimeout(() => { laterTimer = null; loadDevices(); }, 2000); };
  const refresh = () => { soon(); later(); };
  C2F.watch([]); // until the first page is known, no device's events
  on('device', refresh); on('fleet', refresh); on('job', () => { refresh(); loadRolloutsSoon(); }); on('generation', throttle(loadDevices, 2000));
  on('open', soon);
  const loadRolloutsSoon = throttle(loadRollouts, 1000);
  // events are best effort (a stream reconnecting after the watched rows change misses some): a page is
  // cut from the server's shared table (rebuilt at most once a second), so polling every 5 s is cheap
  setInterval(loadDevices, 5000); setInterval(loadRollouts, 15000); setInterval(render, 10000); // timeouts, "x s ago"
  loadDevices(); loadRollouts();
})();
// models: a link to each model's page (card, rank plot, schedule catalog)
(async () => {
  const { api, el } = C2F;
  const ul = document.getElementById('models');
  try {
    const m = (await api('/api/v1/models')).models;
    ul.replaceChildren(...(m.length ? m.map(x => el('li', null, el('a', { href: '/models/' + encodeURIComponent(x.id) }, x.id),
      ' ', el('span', { class: 'muted' }, x.resolutions.join(' + ')))) : [el('li', { class: 'muted' }, 'No model registered yet (POST /api/v1/models).')]));
  } catch (e) { C2F.showError(e); }
})();
