'use strict';
(async () => {
  document.getElementById('live').hidden = true; // nothing live on this page
  const { api, el, time } = C2F;
  const tb = document.querySelector('#model-table tbody');
  const macs = v => v == null ? '–' : (v / 1e6).toLocaleString(undefined, { maximumFractionDigits: 1 }) + ' M';
  try {
    const m = (await api('/api/v1/models')).models;
    tb.replaceChildren(...(m.length ? m.map(x => el('tr', { 'data-model-id': x.id },
      el('td', { 'data-label': 'Model' }, el('a', { href: '/models/' + encodeURIComponent(x.id) }, x.id)),
      el('td', { 'data-label': 'Resolutions' }, x.resolutions.join(' + ')),
      el('td', { class: 'num', 'data-label': 'MACs per step' }, x.resolutions.map(r => r + ': ' + macs(x.macsPerForward[r])).join(' · ')),
      el('td', { class: 'num', 'data-label': 'T' }, x.trainTimesteps),
      el('td', { 'data-label': 'Registered' }, time(x.registered)),
      el('td', { 'data-label': 'sha256', title: x.modelSha256 }, (x.modelSha256 || '').slice(0, 12))))
      : [el('tr', null, el('td', { colspan: 6 }, 'No model registered yet (POST /api/v1/models).'))]));
  } catch (e) { C2F.showError(e); }
})();
