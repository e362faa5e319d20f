'use strict';
// Enrolment tokens (create: the secret is shown once; revoke) and devices waiting for admission
// (accept / reject). Changes need an admin token: C2F.api asks for one on 403.
(async () => {
  document.getElementById('live').hidden = true; // refreshed after each action, not live
  const { api, el, time } = C2F;
  const $ = id => document.getElementById(id);
  const enc = encodeURIComponent;

  async function act(path, body) {
    try {
      await api(path, { method: body === null ? 'DELETE' : 'POST', body: body || {} });
      await load();
    } catch (e) { C2F.showError(e); }
  }

  function pendingRow(e) {
    const accept = el('button', { type: 'button', class: 'accept', 'data-device-id': e.deviceId }, 'Accept');
    const reject = el('button', { type: 'button', class: 'reject danger', 'data-device-id': e.deviceId }, 'Reject');
    accept.addEventListener('click', () => act(`/api/v1/enrolments/${enc(e.deviceId)}/accept`));
    reject.addEventListener('click', () => act(`/api/v1/enrolments/${enc(e.deviceId)}/reject`,
      { reason: $('reject-reason').value || 'rejected by an operator' }));
    return el('tr', { 'data-device-id': e.deviceId },
      el('td', { 'data-label': 'Device' }, e.deviceId),
      el('td', { 'data-label': 'Token' }, e.tokenId),
      el('td', { 'data-label': 'Agent' }, e.agentVersion || '–'),
      el('td', { 'data-label': 'Labels' }, e.labels.join(', ')),
      el('td', { 'data-label': 'Asked' }, time(e.requestedAt)),
      el('td', { 'data-label': 'Decision' }, accept, ' ', reject));
  }

  function tokenRow(t) {
    const cells = [
      el('td', { 'data-label': 'Token' }, t.id),
      el('td', { 'data-label': 'Labels' }, Object.entries(t.labels).map(([k, v]) => k + '=' + v).join(', ')),
      el('td', { class: 'num', 'data-label': 'Uses' }, t.uses + (t.maxUses == null ? '' : ' / ' + t.maxUses)),
      el('td', { 'data-label': 'Expires' }, t.expiresAt ? time(t.expiresAt) : 'never'),
      el('td', { 'data-label': 'Auto-accept' }, t.autoAccept ? 'yes' : 'no'),
      el('td', { 'data-label': 'State', class: 'token-state' }, t.usable ? 'usable' : t.unusableReason)];
    const revoke = el('button', { type: 'button', class: 'revoke danger', 'data-token-id': t.id }, 'Revoke');
    revoke.disabled = t.revokedAt != null;
    revoke.addEventListener('click', () => act(`/api/v1/enrolment-tokens/${enc(t.id)}`, null));
    return el('tr', { 'data-token-id': t.id }, ...cells, el('td', null, revoke));
  }

  function decidedRow(e) {
    return el('tr', { 'data-device-id': e.deviceId, 'data-status': e.status },
      el('td', { 'data-label': 'Device' }, e.deviceId),
      el('td', { 'data-label': 'Status' }, e.status),
      el('td', { 'data-label': 'Labels' }, e.labels.join(', ')),
      el('td', { 'data-label': 'Reason' }, e.reason || ''),
      el('td', { 'data-label': 'Decided' }, e.decidedAt ? time(e.decidedAt) : '–'));
  }

  function fill(tbody, rows, cols, empty) {
    tbody.replaceChildren(...(rows.length ? rows : [el('tr', null, el('td', { colspan: cols }, empty))]));
  }

  async function load() {
    const [enrolments, tokens] = await Promise.all([api('/api/v1/enrolments'), api('/api/v1/enrolment-tokens')]);
    const all = enrolments.enrolments;
    fill(document.querySelector('#pending-table tbody'), all.filter(e => e.status === 'pending').map(pendingRow), 6,
      'No device is waiting.');
    fill(document.querySelector('#decided-table tbody'), all.filter(e => e.status !== 'pending').map(decidedRow), 5,
      'No decision yet.');
    fill(document.querySelector('#token-table tbody'), tokens.tokens.map(tokenRow), 7,
      'No token yet: create one above.');
  }

  $('token-create').addEventListener('submit', async ev => {
    ev.preventDefault();
    const body = {};
    if ($('tok-id').value.trim()) body.id = $('tok-id').value.trim();
    const labels = {};
    for (const part of $('tok-labels').value.split(',').map(s => s.trim()).filter(Boolean)) {
      const eq = part.indexOf('=');
      labels[eq < 0 ? part : part.slice(0, eq)] = eq < 0 ? '' : part.slice(eq + 1);
    }
    body.labels = labels;
    if ($('tok-expires').value.trim()) body.expiresAt = $('tok-expires').value.trim();
    if ($('tok-max').value) body.maxUses = Number($('tok-max').value);
    body.autoAccept = $('tok-auto').checked;
    try {
      const created = await api('/api/v1/enrolment-tokens', { method: 'POST', body });
      $('new-token-text').textContent = created.token; // the only time the secret exists outside the device
      $('new-token').hidden = false;
      $('token-create').reset();
      await load();
    } catch (e) { C2F.showError(e); }
  });

  try { await load(); } catch (e) { C2F.showError(e); }
})();
