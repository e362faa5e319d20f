'use strict';
(() => {
  const { api, on, throttle, el, badge, facts } = C2F;
  const id = C2F.subject, enc = encodeURIComponent(id);
  const btn = { pause: document.getElementById('pause'), resume: document.getElementById('resume'), abort: document.getElementById('abort') };
  const result = document.getElementById('control-result');
  let rollout = null;
  // bundle bytes the controller sent: a schedule-only change to devices holding the model is a small share of the payload
  const bytes = n => n == null ? '–' : n >= 1e6 ? (n / 1e6).toFixed(2) + ' MB' : n >= 1e3 ? (n / 1e3).toFixed(1) + ' kB' : Math.round(n) + ' B';
  function sent(d) {
    if (!d || !d.devices) return null;
    return `${bytes(d.bytesSent)} to ${d.devices} device${d.devices === 1 ? '' : 's'} · mean ${bytes(d.meanBytesPerDevice)} per device`
      + (d.payloadSize ? ` (${(100 * d.meanShareOfPayload).toFixed(1)} % of the ${bytes(d.payloadSize)} payload)` : '');
  }

  function render(r) {
    rollout = r;
    document.getElementById('r-state').replaceWith(Object.assign(badge(r.state), { id: 'r-state' }));
    document.getElementById('main').dataset.state = r.state;
    const c = r.counts || {};
    facts(document.getElementById('r-facts'), [['Bundle', r.bundleId], ['Wave', r.currentWave == null ? '–' : `${r.currentWave + 1} of ${r.waves.length}`],
      ['Jobs', Object.entries(c).filter(([, n]) => n).map(([k, n]) => `${n} ${k.toLowerCase().replace('_', ' ')}`).join(', ') || 'none'],
      ['Created', C2F.time(r.createdAt)], r.finishedAt ? ['Finished', C2F.time(r.finishedAt)] : null,
      ['Bytes sent', sent(r.delivery)],
      r.abortReason ? ['Abort reason', r.abortReason] : null, r.lease ? ['Driven by', r.lease.owner] : null]);
    btn.pause.disabled = r.state !== 'RUNNING';
    btn.resume.disabled = r.state !== 'PAUSED';
    btn.abort.disabled = !(r.state === 'RUNNING' || r.state === 'PAUSED');
    document.getElementById('waves').replaceChildren(...r.waves.map(w => {
      const wc = w.counts || {}, done = (wc.SUCCEEDED || 0) + (wc.FAILED || 0) + (wc.TIMED_OUT || 0) + (wc.REJECTED || 0) + (wc.CANCELED || 0);
      const label = `Wave ${w.index + 1}: ${w.size} device${w.size === 1 ? '' : 's'}, ${wc.SUCCEEDED || 0} succeeded, ${done - (wc.SUCCEEDED || 0)} failed or canceled, ${wc.IN_PROGRESS || 0} in progress`;
      return el('li', { 'data-wave': w.index, 'data-state': w.state },
        el('div', null, el('strong', null, `Wave ${w.index + 1}`), ' ', badge(w.state), ' ',
          el('span', { class: 'muted' }, `${done} of ${w.size} finished · ${wc.SUCCEEDED || 0} succeeded` + (w.startedAt ? ' · started ' + C2F.ago(w.startedAt) : ''))),
        el('progress', { max: w.size || 1, value: done, 'aria-label': label }),
        el('div', { class: 'muted' }, w.devices.join(', ')));
    }));
    document.querySelector('#jobs tbody').replaceChildren(...(r.jobs.length ? r.jobs.map(j => el('tr', { 'data-job-id': j.id, 'data-device-id': j.deviceId },
      el('td', { 'data-label': 'Device' }, el('a', { href: '/devices/' + encodeURIComponent(j.deviceId) }, j.deviceId)),
      el('td', { class: 'num', 'data-label': 'Wave' }, j.wave == null ? '–' : String(j.wave + 1)),
      el('td', { 'data-label': 'Kind' }, j.kind.toLowerCase()), el('td', { 'data-label': 'State' }, badge(j.state)),
      el('td', { 'data-label': 'Step' }, j.step || '–'), el('td', { class: 'num', 'data-label': 'Progress' }, (j.progress || 0) + ' %'),
      el('td', { class: 'num', 'data-label': 'Attempts' }, String(j.attempts)),
      el('td', { class: 'num', 'data-label': 'Bytes sent', 'data-bytes-sent': j.bytesSent || 0, title: `${j.chunksSent || 0} chunks` }, bytes(j.bytesSent || 0)),
      el('td', { 'data-label': 'Error' }, j.error ? [j.error.code, j.error.message].filter(Boolean).join(': ') : (j.probe ? `probe ${j.probe.psnrDb.toFixed(1)} dB` : '–')))) :
      [el('tr', null, el('td', { colspan: 9 }, 'No job yet.'))]));
    document.getElementById('events').replaceChildren(...r.events.slice().reverse().map(e => el('li', null, C2F.time(e.at), el('strong', null, e.kind), ' ', e.message || '')));
  }
  async function load() {
    try { render(await api(`/api/v1/rollouts/${enc}`)); C2F.showError(null); } catch (e) { C2F.showError(e); }
  }
  async function act(action) {
    const body = action === 'abort' && document.getElementById('abort-reason').value.trim()
      ? { reason: document.getElementById('abort-reason').value.trim() } : undefined;
    if (action === 'abort' && !window.confirm(`Abort rollout ${id}? Devices that switched are rolled back.`)) return;
    Object.values(btn).forEach(b => { b.disabled = true; });
    result.textContent = action + '…';
    try {
      render(await api(`/api/v1/rollouts/${enc}/${action}`, { method: 'POST', body: body || {} }));
      result.textContent = `${action}: rollout is now ${rollout.state.toLowerCase()}.`;
    } catch (e) { result.textContent = `${action} failed: ${e.message}`; load(); }
  }
  Object.entries(btn).forEach(([a, b]) => b.addEventListener('click', () => act(a)));
  const soon = throttle(load, 700);
  on('job', soon); on('open', soon);
  // wave starts and timeouts happen on the controller's ticks, not on device events
  setInterval(() => { if (!rollout || ['RUNNING', 'PAUSED', 'ABORTING'].includes(rollout.state)) load(); }, 3000);
  load();
})();
