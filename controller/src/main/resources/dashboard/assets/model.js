'use strict';
(() => {
  const { api, el, facts, time } = C2F, s = C2F.svgEl;
  const id = C2F.subject, enc = encodeURIComponent(id);
  const W = 960, H = 320, L = 70, R = 16, T = 16, B = 46;
  const macs = v => v >= 1e9 ? (v / 1e9).toFixed(2) + ' G' : (v / 1e6).toFixed(v >= 1e8 ? 0 : 1) + ' M';
  const psnr = mse => mse > 0 ? 10 * Math.log10(4 / mse) : null; // images in [-1, 1]: peak-to-peak 2

  // Axes with ticks and titles; returns the scales.
  function frame(svg, x0, x1, y0, y1, xTicks, yTicks, xTitle, yTitle) {
    const X = x => L + (x - x0) / (x1 - x0) * (W - L - R), Y = y => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
    yTicks.forEach(([v, label]) => {
      svg.append(s('line', { class: 'grid', x1: L, x2: W - R, y1: Y(v), y2: Y(v) }));
      svg.append(s('text', { x: L - 6, y: Y(v) + 4, 'text-anchor': 'end' }, label));
    });
    xTicks.forEach(([v, label]) => svg.append(s('text', { x: X(v), y: H - B + 16, 'text-anchor': 'middle' }, label)));
    svg.append(s('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
    svg.append(s('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
    svg.append(s('text', { class: 'axis-title', x: L + (W - L - R) / 2, y: H - 6, 'text-anchor': 'middle' }, xTitle));
    svg.append(s('text', { class: 'axis-title', x: 14, y: T + (H - T - B) / 2, 'text-anchor': 'middle',
      transform: `rotate(-90 14 ${T + (H - T - B) / 2})` }, yTitle));
    return { X, Y };
  }
  function ticks(lo, hi, n, fmt) { return [...Array(n + 1).keys()].map(i => { const v = lo + (hi - lo) * i / n; return [v, fmt(v)]; }); }

  // The quality measures a catalog entry can carry. Fidelity (MSE, PSNR) says "the same image as the
  // many-step reference"; the others compare samples with real images and see blur that fidelity and
  // colour layout miss. Ratios are best at 1 (below: blur, above: noise).
  const MEASURES = {
    mse: { title: 'held-out MSE', better: 'lower is better', value: e => e.heldoutLoss > 0 ? e.heldoutLoss : null,
      fmt: v => v.toFixed(4), label: e => `MSE ${e.heldoutLoss.toFixed(4)}, PSNR ${psnr(e.heldoutLoss).toFixed(1)} dB`, what: 'Held-out MSE against the many-step reference from the same noise' },
    psnr: { title: 'PSNR (dB)', better: 'higher is better', value: e => e.heldoutPsnrDb ?? null, fmt: v => v.toFixed(1),
      what: 'PSNR against the many-step reference from the same noise' },
    frechet: { title: 'shape/detail Fréchet', better: 'lower is better', value: e => e.sampleQuality?.shapeDetailFrechet ?? null,
      fmt: v => v.toFixed(2), what: 'Fréchet distance of multi-scale shape/detail features between samples and held-out real images (not FID)',
      line: es => { const q = es.find(e => e.sampleQuality)?.sampleQuality; return q ? [q.shapeDetailFrechetFloor, 'floor: two real sets'] : null; } },
    laplacian: { title: 'Laplacian ratio', better: 'closer to 1 is better', value: e => e.sampleQuality?.laplacianRatio ?? null,
      fmt: v => v.toFixed(2), what: 'Laplacian variance of samples / of held-out real images', line: () => [1, 'real images'] },
    band: { title: '2x2-band energy ratio', better: 'closer to 1 is better', value: e => e.sampleQuality?.bandEnergyRatio ?? null,
      fmt: v => v.toFixed(2), what: 'Energy a 2x2 block average removes, samples / held-out real images', line: () => [1, 'real images'] },
  };

  // x: MACs per image, y: the chosen measure; full-resolution schedules as circles, C2F as triangles.
  function catalogChart(schedules, key) {
    const box = document.getElementById('catalog-chart'), m = MEASURES[key];
    const measured = schedules.filter(e => m.value(e) != null);
    box.dataset.points = String(measured.length);
    box.dataset.measure = key;
    const skipped = schedules.length - measured.length;
    if (!measured.length) {
      box.replaceChildren(el('p', { class: 'muted' }, schedules.length ? `No schedule of the catalog has a measured ${m.title}.`
        : 'No schedule in the catalog yet (POST /api/v1/models/' + id + '/schedules).'));
      document.getElementById('catalog-caption').textContent = key === 'mse' || key === 'psnr' ? ''
        : 'Measures against real images are written into catalog files by ScheduleBenchmark --annotate-catalog.';
      return;
    }
    const kinds = [{ key: 'full', name: 'full resolution', test: e => e.stepsLow === 0 },
      { key: 'c2f', name: 'coarse-to-fine (C2F)', test: e => e.stepsLow > 0 }];
    const ref = m.line ? m.line(measured) : null;
    const ys = measured.map(m.value).concat(ref ? [ref[0]] : []);
    const xMax = Math.max(...measured.map(e => e.macsPerImage)) * 1.05;
    const yMin = key === 'psnr' ? Math.floor(Math.min(...ys) - 1) : 0, yMax = Math.max(...ys) * 1.1;
    const label = `Schedule catalog of ${id}: ${m.title} over MACs per image for ${measured.length} schedules` +
      kinds.map(k => `, ${measured.filter(k.test).length} ${k.name}`).join('');
    const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label });
    svg.append(s('title', null, label));
    const { X, Y } = frame(svg, 0, xMax, yMin, yMax, ticks(0, xMax, 5, macs), ticks(yMin, yMax, 4, m.fmt),
      'MACs per image (multiply-accumulates)', `${m.title} (${m.better})`);
    if (ref) {
      svg.append(s('line', { class: 'switch', id: 'measure-reference', x1: L, x2: W - R, y1: Y(ref[0]), y2: Y(ref[0]) }));
      svg.append(s('text', { class: 'switch-label', x: W - R - 6, y: Y(ref[0]) - 6, 'text-anchor': 'end' }, ref[1]));
    }
    kinds.forEach((k, i) => {
      const pts = measured.filter(k.test).sort((a, b) => a.macsPerImage - b.macsPerImage);
      const g = s('g', { class: 'series-' + i, 'data-series': k.key });
      pts.forEach(e => {
        const x = X(e.macsPerImage), y = Y(m.value(e));
        const mark = k.key === 'full' ? s('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: 5 })
          : s('path', { d: `M${x.toFixed(1)},${(y - 6).toFixed(1)} l6,10.4 h-12 z` });
        const tip = s('g', { class: 'pt', 'data-schedule-id': e.scheduleId, 'data-value': String(m.value(e)), tabindex: '0', role: 'img',
          'aria-label': `${e.scheduleId}: ${k.name}, ${e.stepsLow} + ${e.stepsHigh} steps, ${macs(e.macsPerImage)}MACs, ${m.label ? m.label(e) : m.title + ' ' + m.fmt(m.value(e))}` });
        tip.append(s('title', null, tip.getAttribute('aria-label')), mark);
        g.append(tip);
      });
      svg.append(g);
    });
    const legend = el('div', { class: 'legend', 'aria-hidden': 'true' },
      el('span', { class: 'series-0 mark-circle' }, 'full resolution (●)'), el('span', { class: 'series-1 mark-triangle' }, 'C2F (▲)'));
    box.replaceChildren(legend, svg);
    document.getElementById('catalog-caption').textContent = `${m.what} (${m.better}) over multiply-accumulates per image; `
      + 'circles: full resolution, triangles: coarse-to-fine.' + (ref ? ` Dashed line: ${ref[1]}.` : '')
      + (skipped ? ` ${skipped} schedule(s) without this measure are not drawn.` : '');
  }
  function catalogTable(schedules) {
    const tb = document.querySelector('#catalog tbody');
    tb.replaceChildren(...(schedules.length ? schedules.map(e => el('tr', { 'data-schedule-id': e.scheduleId },
      el('td', { 'data-label': 'Schedule' }, e.scheduleId),
      el('td', { 'data-label': 'Kind' }, e.stepsLow > 0 ? 'C2F ' + (e.lowResolution || '') + ' → ' + (e.highResolution || '') : 'full ' + (e.highResolution || '')),
      el('td', { class: 'num', 'data-label': 'Steps' }, e.stepsLow + ' + ' + e.stepsHigh),
      el('td', { class: 'num', 'data-label': 'MACs per image' }, macs(e.macsPerImage)),
      el('td', { class: 'num', 'data-label': 'Held-out MSE' }, e.heldoutLoss > 0 ? e.heldoutLoss.toFixed(4) : '–'),
      el('td', { class: 'num', 'data-label': 'PSNR' }, e.heldoutPsnrDb != null ? e.heldoutPsnrDb.toFixed(1) + ' dB' : '–'),
      el('td', { class: 'num', 'data-label': 'Shape/detail Fréchet' }, e.sampleQuality ? e.sampleQuality.shapeDetailFrechet.toFixed(2) : '–'),
      el('td', { class: 'num', 'data-label': 'Detail ratios' }, e.sampleQuality
        ? e.sampleQuality.laplacianRatio.toFixed(2) + ', ' + e.sampleQuality.bandEnergyRatio.toFixed(2) : '–'),
      el('td', { 'data-label': 'Method' }, (e.method || '').replace('SEARCH_METHOD_', '').toLowerCase())))
      : [el('tr', null, el('td', { colspan: 9 }, 'No schedule in the catalog yet.'))]));
  }

  // x: time step from T on the left to 0 on the right (the direction of sampling), y: PCA rank.
  function rankChart(rank, trainT) {
    const box = document.getElementById('rank-chart'), cap = document.getElementById('rank-caption');
    if (!rank) {
      box.dataset.points = '0';
      box.replaceChildren(el('p', { class: 'muted', id: 'no-rank' }, 'No rank analysis yet. Run ScheduleTool rank and attach its rank.csv with PUT /api/v1/models/' + id + '/rank.'));
      cap.textContent = '';
      return;
    }
    const yMax = Math.max(...rank.curves.map(c => c.seeds));
    box.dataset.points = String(rank.curves[0].points.length);
    box.dataset.switchTimestep = rank.switchTimestep == null ? '' : String(rank.switchTimestep);
    const sw = rank.switchTimestep == null ? 'no switch marked: the full-resolution curve is flat (no signal)'
      : (rank.switchSource === 'GIVEN' ? 'chosen' : 'recommended') + ' switch at t = ' + rank.switchTimestep;
    const label = `PCA rank of the predicted x0 and of x_t along ${rank.curves.map(c => c.label).join(' and ')} sampling of ${id}; ${sw}`;
    const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label });
    svg.append(s('title', null, label));
    const { X, Y } = frame(svg, trainT - 1, 0, 0, yMax, ticks(trainT - 1, 0, 5, v => String(Math.round(v))),
      ticks(0, yMax, 4, v => String(Math.round(v))), 'time step t (sampling runs left to right)', `PCA rank (N = ${yMax})`);
    const lines = [['x0Rank95', 'x0 95 %', ''], ['x0Rank99', 'x0 99 %', 'dashed'], ['xtRank95', 'x_t 95 %', 'dotted']];
    const legend = [];
    rank.curves.forEach((c, i) => lines.forEach(([key, name, style]) => {
      const pts = c.points.map(p => X(p.timestep).toFixed(1) + ',' + Y(p[key]).toFixed(1)).join(' ');
      svg.append(s('polyline', { class: `line series-${i} ${style}`, points: pts, 'data-curve': c.label, 'data-value': key }));
      legend.push(el('span', { class: `series-${i} ${style}` }, `${c.label}: ${name}`));
    }));
    if (rank.switchTimestep != null) {
      const x = X(rank.switchTimestep);
      svg.append(s('line', { class: 'switch', id: 'switch-mark', x1: x, x2: x, y1: T, y2: H - B }));
      const right = x > W - 260;
      svg.append(s('text', { class: 'switch-label', x: right ? x - 6 : x + 6, y: T + 14, 'text-anchor': right ? 'end' : 'start' },
        (rank.switchSource === 'GIVEN' ? 'chosen' : 'recommended') + ' switch t = ' + rank.switchTimestep));
      legend.push(el('span', { class: 'switch' }, sw));
    }
    box.replaceChildren(el('div', { class: 'legend', 'aria-hidden': 'true' }, ...legend), svg);
    cap.textContent = `PCA rank (95 % and 99 % energy) of the predicted x0 and of the state x_t over a batch of ${yMax} seeds at each step; `
      + 'steps after the rank of x0 stops falling need the full resolution; ' + sw + '.';
  }

  async function load() {
    try {
      const m = await api(`/api/v1/models/${enc}`);
      facts(document.getElementById('facts'), [['Resolutions', m.resolutions.join(' + ')],
        ['MACs per step', m.resolutions.map(r => r + ': ' + macs(m.macsPerForward[r])).join(' · ')],
        ['Train time steps', m.trainTimesteps], ['Schedules', m.schedules.length], ['Source', m.source],
        ['sha256', (m.modelSha256 || '').slice(0, 16) + '…'], ['Registered', time(m.registered)]]);
      const pick = document.getElementById('catalog-measure');
      catalogChart(m.schedules, pick.value);
      pick.onchange = () => catalogChart(m.schedules, pick.value);
      catalogTable(m.schedules);
      rankChart(await api(`/api/v1/models/${enc}/rank`, { optional: true }), m.trainTimesteps);
      const card = await api(`/api/v1/models/${enc}/card`, { optional: true });
      const box = document.getElementById('card');
      if (card) {
        // the server escaped every piece of text and allows only a small tag set (CardHtml)
        box.innerHTML = card.html;
        box.dataset.source = card.source || '';
      } else {
        box.replaceChildren(el('p', { class: 'muted' }, 'No model card yet. Register the .tflite with a MODEL_CARD.md beside it, or PUT /api/v1/models/' + id + '/card.'));
      }
      C2F.showError(null);
    } catch (e) { C2F.showError(e); }
  }
  document.getElementById('live').hidden = true; // nothing live on this page
  load();
})();
