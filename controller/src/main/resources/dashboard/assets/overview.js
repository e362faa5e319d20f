'use strict';
(() => {
  const { api, on, throttle, el, ms, ago, badge } = C2F;
  const tbody = document.querySelector('#devices tbody');
  const heads = [...document.querySelectorAll('#devices th')];
  const f = { text: document.getElementById('f-text'), status: document.getElementById('f-status'), over: document.getElementById('f-over') };
  let rows = [], sort = { key: 'id', dir: 1 };

  const over = d => d.targetMs != null && d.p95Ms != null && d.p95Ms > d.targetMs;
  function latencyCell(d, key) {
    const v = d[key];
    if (v == null) return el('td', { class: 'num', 'data-label': key.replace('Ms', '') }, '–');
    const cls = key === 'p95Ms' && d.targetMs != null ? (over(d) ? 'num over' : 'num within') : 'num';
    const note = key === 'p95Ms' && over(d) ? el('span', { class: 'sr-only' }, ' (over target)') : null;
    return el('td', { class: cls, 'data-label': key.replace('Ms', '') }, ms(v) + (key === 'p95Ms' && over(d) ? ' ▲' : ''), note);
  }
  function render() {
    const q = f.text.value.trim().toLowerCase();
    const shown = rows.filter(d => (!f.status.value || d.status === f.status.value) && (!f.over.checked || over(d))
      && (!q || [d.id, d.bundleId, d.scheduleId, d.delegate, ...(d.labels || [])].some(v => v && String(v).toLowerCase().includes(q))));
    shown.sort((a, b) => {
      const x = a[sort.key], y = b[sort.key];
      if (x == null && y == null) return a.id.localeCompare(b.id);
      if (x == null) return 1; if (y == null) return -1;
      return (typeof x === 'number' ? x - y : String(x).localeCompare(String(y))) * sort.dir || a.id.localeCompare(b.id);
    });
    const n = s => rows.filter(d => d.status === s).length;
    document.getElementById('counts').textContent =
      `${rows.length} total · ${n('ONLINE')} online · ${n('INSTALLING')} installing · ${n('OFFLINE')} offline` + (shown.length !== rows.length ? ` · ${shown.length} shown` : '');
    if (!shown.length) { tbody.replaceChildren(el('tr', null, el('td', { colspan: 10 }, rows.length ? 'No device matches the filter.' : 'No device has been seen yet.'))); return; }
    tbody.replaceChildren(...shown.map(d => el('tr', { 'data-device-id': d.id, 'data-status': d.status },
      el('td', { 'data-label': 'Device' }, el('a', { href: '/devices/' + encodeURIComponent(d.id) }, d.id)),
      el('td', { 'data-label': 'Status', title: d.offlineReason || (d.job ? d.job.kind + ' ' + d.job.progress + '%' : '') },
        badge(d.status), d.job ? el('a', { href: '/rollouts/' + encodeURIComponent(d.job.rolloutId), class: 'muted' }, ' ' + (d.job.progress || 0) + '%') : null),
      el('td', { 'data-label': 'Bundle' }, d.bundleId ? d.bundleId + (d.bundleVersion ? ' ' + d.bundleVersion : '') : '–'),
      el('td', { 'data-label': 'Schedule', title: d.runningScheduleId && d.runningScheduleId !== d.scheduleId ? 'announced at birth: ' + d.scheduleId : null },
        d.runningScheduleId || d.scheduleId || '–'),
      latencyCell(d, 'p50Ms'), latencyCell(d, 'p95Ms'), latencyCell(d, 'p99Ms'),
      el('td', { class: 'num', 'data-label': 'Target' }, d.targetMs != null ? ms(d.targetMs) : '–'),
      el('td', { 'data-label': 'Delegate' }, d.delegate || '–'),
      el('td', { 'data-label': 'Last seen' }, el('time', { datetime: d.lastSeen, title: d.lastSeen }, ago(d.lastSeen))))));
  }
  heads.forEach(th => th.querySelector('button').addEventListener('click', () => {
    const key = th.dataset.key;
    sort = { key, dir: sort.key === key ? -sort.dir : 1 };
    heads.forEach(h => h.removeAttribute('aria-sort'));
    th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
    render();
  }));
  document.getElementById('filters').addEventListener('submit', e => e.preventDefault());
  Object.values(f).forEach(i => i.addEventListener('input', render));

  async function loadDevices() {
    try { rows = (await api('/api/v1/dashboard/fleet')).devices.map(d => Object.assign(d, { schedule: d.runningScheduleId || d.scheduleId })); render(); C2F.showError(null); } catch (e) { C2F.showError(e); }
  }
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
  // registry writes land just after the event: refresh soon, and once more a little later
  const soon = throttle(loadDevices, 400), later = throttle(loadDevices, 2500);
  const refresh = () => { soon(); later(); };
  on('device', refresh); on('job', () => { refresh(); loadRolloutsSoon(); }); on('generation', throttle(loadDevices, 2000));
  on('open', refresh);
  const loadRolloutsSoon = throttle(loadRollouts, 1000);
  setInterval(loadDevices, 30000); setInterval(loadRollouts, 15000); setInterval(render, 10000); // timeouts, "x s ago"
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
