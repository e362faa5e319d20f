'use strict';
(() => {
  const { api, on, throttle, el, ms, ago, badge, facts, lineChart } = C2F;
  const id = C2F.subject, enc = encodeURIComponent(id);
  let device = null, recent = [], latency = null;

  function drawRecent() {
    // x is the generation's place in the window (bursts and pauses do not distort it); labels show its time
    const series = [{ name: 'total', points: recent.map((s, i) => [i, s.totalMs]) },
      { name: 'high phase', points: recent.map((s, i) => [i, s.highMs]) },
      { name: 'low phase', points: recent.map((s, i) => [i, s.lowMs]) }].filter((s, i) => i === 0 || s.points.some(p => p[1] > 0));
    lineChart(document.getElementById('recent-chart'), series,
      { target: device && device.latencyTargetMs, label: `Latency of the last ${recent.length} generations of ${id}`,
        xFormat: i => { const s = recent[Math.round(i)]; return s ? new Date(s.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : ''; },
        empty: 'No generation received since the controller started.' });
    document.getElementById('recent-caption').textContent = `Total, high- and low-resolution phase milliseconds of the last ${recent.length} generations (newest right)` +
      (recent.length ? `; latest ${ms(recent[recent.length - 1].totalMs)}` : '') + '; dashed line: target.';
  }
  function drawMinutes() {
    const h = (latency && latency.history) || [];
    const series = ['p50Ms', 'p95Ms', 'p99Ms'].map(k => ({ name: k.replace('Ms', ''), points: h.filter(b => b[k] != null).map(b => [Date.parse(b.minute), b[k]]) }));
    lineChart(document.getElementById('minute-chart'), series, { target: device && device.latencyTargetMs,
      label: `p50, p95 and p99 per minute of ${id}`, xFormat: x => new Date(x).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
      empty: 'No generation in the last hour.' });
  }
  const step = v => v == null || Number.isNaN(v) ? '–' : v.toFixed(1) + ' ms';
  function drawPhases() {
    const box = document.getElementById('phases');
    const w = latency && latency.window, p = latency && latency.phases, c = latency && latency.costModel;
    if (!w || !w.samples) { box.replaceChildren(el('p', { class: 'muted' }, 'No generation in the latency window.')); return; }
    const low = p.lowMeanMs || 0, high = p.highMeanMs || 0, other = p.overheadMeanMs || 0, sum = low + high + other || 1;
    const svg = C2F.svgEl('svg', { viewBox: '0 0 600 24', class: 'phasebar', role: 'img',
      'aria-label': `mean per generation: low ${ms(low)}, high ${ms(high)}, other ${ms(other)}` });
    let x = 0;
    for (const [cls, v] of [['low', low], ['high', high], ['other', other]]) {
      const wv = v / sum * 600; svg.append(C2F.svgEl('rect', { x, y: 0, width: wv, height: 24, class: cls })); x += wv;
    }
    const t = el('table', null, el('thead', null, el('tr', null, el('th', { scope: 'col' }, 'Phase'), el('th', { scope: 'col', class: 'num' }, 'Mean per generation'),
      el('th', { scope: 'col', class: 'num' }, 'Share'), el('th', { scope: 'col', class: 'num' }, 'Cost model per step'))),
      el('tbody', null,
        el('tr', null, el('th', { scope: 'row' }, 'low resolution'), el('td', { class: 'num' }, ms(low)), el('td', { class: 'num' }, Math.round(low / sum * 100) + ' %'), el('td', { class: 'num' }, step(c && c.lowStepMs))),
        el('tr', null, el('th', { scope: 'row' }, 'high resolution'), el('td', { class: 'num' }, ms(high)), el('td', { class: 'num' }, Math.round(high / sum * 100) + ' %'), el('td', { class: 'num' }, step(c && c.highStepMs))),
        el('tr', null, el('th', { scope: 'row' }, 'other (encode, decode, switch)'), el('td', { class: 'num' }, ms(other)), el('td', { class: 'num' }, Math.round(other / sum * 100) + ' %'), el('td', { class: 'num' }, c && c.overheadMs != null ? step(c.overheadMs) + ' fixed' : '–'))));
    box.replaceChildren(svg, t, el('p', { class: 'muted' }, `Window: ${w.samples} generations · p50 ${ms(w.p50Ms)} · p95 ${ms(w.p95Ms)} · p99 ${ms(w.p99Ms)} · max ${ms(w.maxMs)}` +
      (c ? ` · cost model from ${c.samples} samples, rms residual ${step(c.rmsResidualMs)}` : '')));
  }
  function drawFacts() {
    const d = device, w = latency && latency.window;
    document.getElementById('d-status').replaceWith(Object.assign(badge(d.status), { id: 'd-status' }));
    facts(document.getElementById('facts'), [
      ['Bundle', d.installed ? d.installed.bundleId + ' ' + (d.installed.version || '') : null],
      ['Schedule', (latency && latency.scheduleId) || d.scheduleId],
      ['p95 / target', (w && w.samples ? ms(w.p95Ms) : '–') + ' / ' + (d.latencyTargetMs != null ? ms(d.latencyTargetMs) : 'none')],
      ['Engine', d.engine ? d.engine + ' (' + d.engineLink + ')' : null],
      ['Delegate', recent.length ? recent[recent.length - 1].delegate : (d.delegates || []).map(x => x.name).join(', ')],
      ['Agent', d.agentVersion], ['Labels', (d.labels || []).join(', ')],
      ['Capabilities', (d.capabilities || []).join(', ') || 'none announced (whole bundles)'],
      ['Hardware', d.hardware ? [d.hardware.cpuModel, d.hardware.arch, d.hardware.cpuCores && d.hardware.cpuCores + ' cores'].filter(Boolean).join(' · ') : null],
      ['Last seen', ago(d.lastSeen)], d.offlineReason && d.status === 'OFFLINE' ? ['Offline because', d.offlineReason] : null]);
  }
  function drawChain() {
    const links = device.delegates || [];
    const status = s => (s || 'DELEGATE_STATUS_UNSPECIFIED').replace('DELEGATE_STATUS_', '').toLowerCase();
    document.querySelector('#chain tbody').replaceChildren(...(links.length ? links.map(l => el('tr', { class: 'link-' + status(l.status) },
      el('td', { 'data-label': 'Link' }, l.name), el('td', { 'data-label': 'Engine' }, l.engine || '–'),
      el('td', { 'data-label': 'Status' }, status(l.status)), el('td', { 'data-label': 'Why' }, l.reason || ''))) :
      [el('tr', null, el('td', { colspan: 4 }, 'The device announced no engine chain (no bundle running).'))]));
  }
  async function loadHistory() {
    const h = await api(`/api/v1/devices/${enc}/schedule-history?limit=50`);
    const tb = document.querySelector('#history tbody');
    tb.replaceChildren(...(h.decisions.length ? h.decisions.map(d => el('tr', null,
      el('td', { 'data-label': 'When' }, C2F.time(d.at)), el('td', { 'data-label': 'From' }, d.from || '–'), el('td', { 'data-label': 'To' }, d.to),
      el('td', { class: 'num', 'data-label': 'Predicted' }, ms(d.predictedMs)), el('td', { class: 'num', 'data-label': 'Observed p95' }, ms(d.observedP95Ms)),
      el('td', { class: 'num', 'data-label': 'Target' }, ms(d.targetMs)), el('td', { 'data-label': 'Reason' }, d.reason))) : [el('tr', null, el('td', { colspan: 7 }, 'No retuning decision yet.'))]));
  }
  async function loadLatency() {
    latency = await api(`/api/v1/devices/${enc}/latency?minutes=60`);
    drawMinutes(); drawPhases(); if (device) drawFacts();
  }
  async function loadAll() {
    try {
      device = await api(`/api/v1/devices/${enc}`);
      recent = (await api(`/api/v1/dashboard/devices/${enc}/recent`)).samples;
      drawRecent(); await loadLatency(); drawFacts(); drawChain(); await loadHistory(); C2F.showError(null);
    } catch (e) { C2F.showError(e); }
  }
  const latencySoon = throttle(() => loadLatency().catch(C2F.showError), 2000);
  const deviceSoon = throttle(() => api(`/api/v1/devices/${enc}`).then(d => { device = d; drawFacts(); drawChain(); }).catch(C2F.showError), 500);
  on('generation', s => {
    if (s.deviceId !== id) return;
    recent.push(s); if (recent.length > 200) recent.shift();
    drawRecent(); latencySoon();
  });
  on('device', e => { if (e.deviceId === id) { deviceSoon(); loadHistory().catch(C2F.showError); } });
  on('open', () => { if (device) loadAll(); });
  setInterval(() => { if (device) drawFacts(); }, 10000);
  setInterval(() => loadHistory().catch(C2F.showError), 20000);
  loadAll();
})();
