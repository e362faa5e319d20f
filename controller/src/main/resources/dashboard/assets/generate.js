'use strict';
// The device page's generate form: POST /api/v1/devices/{id}/generate, then the returned images
// fetched with the operator's token (an <img src> could not send it) and shown without a reload;
// below, the device's recent images as thumbnails.
(() => {
  const { api, el } = C2F;
  const id = C2F.subject, enc = encodeURIComponent(id);
  const form = document.getElementById('gen-form'), status = document.getElementById('gen-status');
  const seed = document.getElementById('gen-seed'), schedule = document.getElementById('gen-schedule');
  const count = document.getElementById('gen-count'), submit = document.getElementById('gen-submit');
  const result = document.getElementById('gen-result'), thumbs = document.getElementById('thumbs');
  seed.value = String(Math.floor(Math.random() * 100000));

  async function imageUrl(url) {
    const r = await fetch(url, { headers: C2F.headers({ 'Accept': 'image/png' }) });
    if (!r.ok) throw new Error('HTTP ' + r.status + ' on ' + url);
    return URL.createObjectURL(await r.blob());
  }
  const describe = i => `seed ${i.seed} · ${i.scheduleId || 'default schedule'} · ${Math.round(i.totalMs)} ms`;

  async function loadSchedules() {
    const models = (await api('/api/v1/models')).models;
    for (const m of models) {
      const full = await api(`/api/v1/models/${encodeURIComponent(m.id)}`);
      if (!full.schedules.length) continue;
      const g = el('optgroup', { label: 'model ' + m.id });
      full.schedules.forEach(s => g.append(el('option', { value: s.scheduleId },
        `${s.scheduleId} (${s.stepsLow} + ${s.stepsHigh} steps)`)));
      schedule.append(g);
    }
  }
  async function loadThumbs() {
    const list = (await api(`/api/v1/devices/${enc}/images?limit=12`)).images;
    if (!list.length) { thumbs.replaceChildren(el('li', { class: 'muted' }, 'No image generated on this device yet.')); return; }
    const items = await Promise.all(list.map(async i => el('li', { 'data-sha256': i.sha256 },
      el('img', { src: await imageUrl(i.url), alt: `image from ${id}: ${describe(i)}`, width: 96, height: 96 }), 'seed ' + i.seed)));
    thumbs.replaceChildren(...items);
  }

  form.addEventListener('submit', async e => {
    e.preventDefault();
    const s = seed.value.trim(), n = count.value.trim() || '1';
    if (!/^\d+$/.test(s) || Number(s) > Number.MAX_SAFE_INTEGER) {
      status.textContent = 'Seed must be a whole number from 0 to ' + Number.MAX_SAFE_INTEGER + '.'; status.className = 'error-text';
      seed.setAttribute('aria-invalid', 'true'); seed.focus(); return;
    }
    seed.removeAttribute('aria-invalid');
    const body = { seed: Number(s), count: Number(n) };
    if (schedule.value) body.scheduleId = schedule.value;
    submit.disabled = true; status.className = 'muted';
    status.textContent = `Waiting for ${id} to generate ${n === '1' ? 'the image' : n + ' images'}…`;
    const t0 = performance.now();
    try {
      const r = await api(`/api/v1/devices/${enc}/generate`, { method: 'POST', body });
      const shown = await Promise.all(r.images.map(async i => el('figure', { 'data-sha256': i.sha256 },
        el('img', { id: 'gen-image-' + i.index, src: await imageUrl(i.url), alt: `generated on ${id}: ${describe(i)}`, width: 256, height: 256 }),
        el('figcaption', null, describe(i)))));
      result.replaceChildren(...shown);
      result.dataset.requestId = r.requestId;
      status.textContent = `${r.images.length} image(s) from ${id} in ${Math.round(performance.now() - t0)} ms (request ${r.requestId}).`;
      loadThumbs().catch(C2F.showError);
    } catch (err) {
      status.textContent = 'Not generated: ' + err.message; status.className = 'error-text';
    } finally { submit.disabled = false; }
  });
  loadSchedules().catch(C2F.showError);
  loadThumbs().catch(C2F.showError);
})();
