// pocketgan lab: draws the frames the server streams (GET /events) and sends
// the user's controls back (POST /command). All training happens in the
// server; this page only draws and asks.
'use strict';

const $ = (sel) => document.querySelector(sel);
const $$ = (sel) => Array.from(document.querySelectorAll(sel));
const COLORS = { real: '#1b9e3e', fake: '#7b3fb5', int8: '#e6740b', manifold: 'rgba(90,60,130,0.35)', arrow: 'rgba(60,30,90,0.75)' };
const PANE_COLORS = ['#2563eb', '#dc2626'];

// What the tests and a curious user can inspect from the console.
window.lab = { frames: 0, last: null, drawing: [] };

let show = { heatmap: true, real: true, fake: true, manifold: true, arrows: true };
let drawMode = false;

// ---- messages -------------------------------------------------------------

function say(text, isError) {
  const m = $('#message');
  m.textContent = text || '';
  m.classList.toggle('error', !!isError);
}

async function send(command) {
  try {
    const r = await fetch('/command', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(command) });
    const body = await r.json().catch(() => ({ error: `the lab answered ${r.status} without a message` }));
    if (body.error) say(body.error, true); else say(body.message, false);
    return body;
  } catch (e) {
    say(`cannot reach the lab (${e.message}): is \`pocketgan lab\` still running?`, true);
    return { error: String(e) };
  }
}

// ---- controls -------------------------------------------------------------

$('#play').addEventListener('click', () => send({ cmd: window.lab.last && window.lab.last.playing ? 'pause' : 'play' }));
$('#step-critic').addEventListener('click', () => send({ cmd: 'step', network: 'critic' }));
$('#step-generator').addEventListener('click', () => send({ cmd: 'step', network: 'generator' }));
$('#step-both').addEventListener('click', () => send({ cmd: 'step', network: 'both' }));
$('#reset').addEventListener('click', () => send({ cmd: 'reset' }));
$('#replay').addEventListener('click', () => { say('replaying…'); send({ cmd: 'replay' }); });
$('#slow_motion').addEventListener('change', (e) => send({ cmd: 'set', slow_motion: e.target.checked }));
$('#int8_view').addEventListener('change', (e) => send({ cmd: 'set', int8_view: e.target.checked }));
$$('[data-preset]').forEach((b) => b.addEventListener('click', () => send({ cmd: 'data', preset: b.dataset.preset })));
$$('[data-show]').forEach((c) => c.addEventListener('change', () => { show[c.dataset.show] = c.checked; redraw(); }));
document.addEventListener('keydown', (e) => {
  if (e.code === 'Space' && !['INPUT', 'SELECT'].includes(document.activeElement.tagName)) {
    e.preventDefault();
    $('#play').click();
  }
});

// Settings: sent as typed; the server checks them and says what is wrong.
$$('[data-set]').forEach((el) => {
  el.addEventListener('change', () => {
    const field = el.dataset.set;
    let value = el.value.trim();
    if (el.tagName === 'INPUT') {
      const n = Number(value);
      // A number goes as a number; anything else as typed, so the lab's
      // own message explains what it expected.
      if (value !== '' && Number.isFinite(n)) value = n;
    }
    send({ cmd: 'set', [field]: value }).then((r) => el.classList.toggle('invalid', !!r.error));
  });
});

$('#load-session').addEventListener('change', async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  try {
    const r = await fetch('/session', { method: 'POST', body: await file.arrayBuffer() });
    const body = await r.json();
    if (body.error) say(`cannot load ${file.name}: ${body.error}`, true); else say(body.message);
  } catch (err) {
    say(`cannot load ${file.name}: ${err.message}`, true);
  }
  e.target.value = '';
});

// ---- drawing a distribution ----------------------------------------------

$('#draw-toggle').addEventListener('click', () => {
  drawMode = !drawMode;
  $('#draw-toggle').classList.toggle('on', drawMode);
  $('#draw-use').disabled = $('#draw-clear').disabled = !drawMode;
  const plane = $('#plane-0');
  if (plane) plane.classList.toggle('drawing', drawMode);
  say(drawMode ? 'draw on the left plane with the mouse, then press "use drawing"' : '');
  redraw();
});
$('#draw-clear').addEventListener('click', () => { window.lab.drawing = []; redraw(); });
$('#draw-use').addEventListener('click', async () => {
  const r = await send({ cmd: 'draw', points: window.lab.drawing });
  if (!r.error) { drawMode = false; $('#draw-toggle').click(); $('#draw-toggle').click(); window.lab.drawing = []; }
});

function attachDrawing(canvas) {
  let down = false;
  let lastAdd = 0;
  const add = (e) => {
    if (!drawMode || !window.lab.last) return;
    const now = performance.now();
    if (now - lastAdd < 12) return;
    lastAdd = now;
    const r = canvas.getBoundingClientRect();
    const ext = window.lab.last.extent;
    const x = ((e.clientX - r.left) / r.width * 2 - 1) * ext;
    const y = -((e.clientY - r.top) / r.height * 2 - 1) * ext;
    if (window.lab.drawing.length < 4000) window.lab.drawing.push([+x.toFixed(3), +y.toFixed(3)]);
    redraw();
  };
  canvas.addEventListener('mousedown', (e) => { down = true; add(e); });
  canvas.addEventListener('mousemove', (e) => { if (down) add(e); });
  window.addEventListener('mouseup', () => { down = false; });
}

// ---- drawing a frame --------------------------------------------------------

function panes(count) {
  const holder = $('#planes');
  while (holder.children.length < count) {
    const i = holder.children.length;
    const node = $('#pane-template').content.firstElementChild.cloneNode(true);
    const canvas = node.querySelector('canvas');
    canvas.id = `plane-${i}`;
    if (i === 0) attachDrawing(canvas);
    holder.appendChild(node);
  }
  while (holder.children.length > count) holder.lastElementChild.remove();
  return Array.from(holder.children);
}

// Field value → colour: green says "real", purple says "generated".
function fieldColor(t) {
  const a = [123, 63, 181], m = [245, 245, 245], b = [27, 158, 62];
  const [from, to, u] = t < 0.5 ? [a, m, t * 2] : [m, b, (t - 0.5) * 2];
  return from.map((c, k) => Math.round(c + (to[k] - c) * u));
}

function drawPlane(canvas, frame, pane) {
  const ctx = canvas.getContext('2d');
  const W = canvas.width, H = canvas.height, ext = frame.extent;
  const px = (p) => [(p[0] / ext + 1) / 2 * W, (-p[1] / ext + 1) / 2 * H];
  const finite = (p) => p && Number.isFinite(p[0]) && Number.isFinite(p[1]);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  if (show.heatmap && pane.field) {
    const n = pane.field.cells, v = pane.field.values.map((x) => (x === null ? NaN : x));
    let lo, hi;
    if (pane.field.probability) { lo = 0; hi = 1; } else {
      const fin = v.filter(Number.isFinite);
      lo = Math.min(...fin); hi = Math.max(...fin);
    }
    const img = new ImageData(n, n);
    v.forEach((x, i) => {
      const t = Number.isFinite(x) ? Math.min(1, Math.max(0, (x - lo) / ((hi - lo) || 1))) : 0.5;
      const c = fieldColor(t);
      img.data.set([c[0], c[1], c[2], 150], i * 4);
    });
    const off = document.createElement('canvas');
    off.width = off.height = n;
    off.getContext('2d').putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, 0, 0, W, H);
  }
  // Axes through the origin.
  ctx.strokeStyle = 'rgba(0,0,0,0.12)';
  ctx.beginPath(); ctx.moveTo(W / 2, 0); ctx.lineTo(W / 2, H); ctx.moveTo(0, H / 2); ctx.lineTo(W, H / 2); ctx.stroke();
  if (show.manifold && pane.manifold) {
    const { rows, cols, points } = pane.manifold;
    ctx.strokeStyle = COLORS.manifold;
    ctx.lineWidth = 1;
    const at = (r, c) => points[r * cols + c];
    ctx.beginPath();
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
      const p = at(r, c);
      if (!finite(p)) continue;
      for (const q of [c + 1 < cols ? at(r, c + 1) : null, r + 1 < rows ? at(r + 1, c) : null]) {
        if (!finite(q)) continue;
        const [x0, y0] = px(p), [x1, y1] = px(q);
        ctx.moveTo(x0, y0); ctx.lineTo(x1, y1);
      }
    }
    ctx.stroke();
  }
  const dots = (points, color, r) => {
    ctx.fillStyle = color;
    for (const p of points) if (finite(p)) { const [x, y] = px(p); ctx.beginPath(); ctx.arc(x, y, r, 0, 7); ctx.fill(); }
  };
  if (show.real) dots(frame.real, COLORS.real, 2.2);
  if (show.fake) dots(pane.fake, COLORS.fake, 2.2);
  if (show.arrows && pane.arrows) {
    // Every third point's arrow, the longest a sixteenth of the plane.
    const len = Math.max(1e-12, ...pane.arrows.map((a) => (a && Number.isFinite(a[0]) ? Math.hypot(a[0], a[1]) : 0)));
    const k = (ext * 0.125) / len;
    ctx.strokeStyle = COLORS.arrow;
    ctx.lineWidth = 1;
    ctx.beginPath();
    pane.fake.forEach((p, i) => {
      const a = pane.arrows[i];
      if (i % 3 !== 0 || !finite(p) || !finite(a)) return;
      const [x0, y0] = px(p), [x1, y1] = px([p[0] + a[0] * k, p[1] + a[1] * k]);
      ctx.moveTo(x0, y0); ctx.lineTo(x1, y1);
    });
    ctx.stroke();
  }
  if (pane.int8) {
    // Each int8 point, and a line to its float twin.
    ctx.strokeStyle = 'rgba(230,116,11,0.5)';
    ctx.beginPath();
    pane.int8.points.forEach((q, i) => {
      const p = pane.fake[i];
      if (!finite(p) || !finite(q)) return;
      const [x0, y0] = px(p), [x1, y1] = px(q);
      ctx.moveTo(x0, y0); ctx.lineTo(x1, y1);
    });
    ctx.stroke();
    ctx.strokeStyle = COLORS.int8;
    ctx.lineWidth = 1.5;
    for (const q of pane.int8.points) if (finite(q)) {
      const [x, y] = px(q);
      ctx.beginPath(); ctx.moveTo(x - 2.5, y - 2.5); ctx.lineTo(x + 2.5, y + 2.5); ctx.moveTo(x - 2.5, y + 2.5); ctx.lineTo(x + 2.5, y - 2.5); ctx.stroke();
    }
  }
  if (canvas.id === 'plane-0' && (drawMode || window.lab.drawing.length)) dots(window.lab.drawing, '#111', 2.5);
}

function drawChart(canvas, series, yMax) {
  const ctx = canvas.getContext('2d');
  const W = canvas.width, H = canvas.height, L = 40, B = 18;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p[1]));
  if (all.length === 0) return;
  const x0 = Math.min(...all.map((p) => p[0])), x1 = Math.max(...all.map((p) => p[0]), x0 + 1);
  let y0 = Math.min(...all.map((p) => p[1])), y1 = yMax !== undefined ? yMax : Math.max(...all.map((p) => p[1]));
  if (yMax !== undefined) y0 = Math.min(0, y0);
  if (y1 - y0 < 1e-9) { y1 += 0.5; y0 -= 0.5; }
  const X = (x) => L + (x - x0) / (x1 - x0) * (W - L - 6), Y = (y) => 4 + (1 - (y - y0) / (y1 - y0)) * (H - B - 8);
  ctx.strokeStyle = '#ccc'; ctx.fillStyle = '#666'; ctx.font = '10px sans-serif';
  ctx.beginPath(); ctx.moveTo(L, 4); ctx.lineTo(L, H - B); ctx.lineTo(W, H - B); ctx.stroke();
  ctx.fillText(y1.toPrecision(3), 2, 12); ctx.fillText(y0.toPrecision(3), 2, H - B);
  ctx.fillText(String(x0), L, H - 4); ctx.fillText(`step ${x1}`, W - 60, H - 4);
  for (const s of series) {
    ctx.strokeStyle = s.color; ctx.lineWidth = 1.5; ctx.setLineDash(s.dash ? [5, 4] : []);
    ctx.beginPath();
    let pen = false;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y)) { pen = false; continue; }
      if (pen) ctx.lineTo(X(x), Y(y)); else ctx.moveTo(X(x), Y(y));
      pen = true;
    }
    ctx.stroke();
  }
  ctx.setLineDash([]);
}

function drawCharts(frame) {
  const series = (f, dash) => frame.panes.map((p, i) => ({
    color: PANE_COLORS[i], dash, points: p.history.map((m) => [m.step, f(m)]),
  }));
  const num = (x) => (x === null ? NaN : x);
  drawChart($('#chart-loss'), [...series((m) => num(m.d_loss), false), ...series((m) => num(m.g_loss), true)]);
  drawChart($('#chart-divergence'), [...series((m) => m.kl, false), ...series((m) => m.js, true)]);
  drawChart($('#chart-modes'), [...series((m) => m.modes_covered / m.modes_total, false), ...series((m) => m.high_quality, true)], 1);
  const rows = frame.panes.map((p, i) => {
    const m = p.metrics;
    const f = (x, d) => (x === null || x === undefined ? '–' : Number(x).toFixed(d));
    return `<tr><td style="color:${PANE_COLORS[i]}">${p.objective}</td><td>${f(m.d_loss, 3)}</td><td>${f(m.g_loss, 3)}</td>`
      + `<td>${m.modes_covered}/${m.modes_total}</td><td>${(m.high_quality * 100).toFixed(1)}%</td><td>${f(m.kl, 3)}</td><td>${f(m.js, 3)}</td></tr>`;
  });
  $('#metrics').innerHTML = '<tr><th>objective</th><th>D loss</th><th>G loss</th><th>modes</th><th>high quality</th><th>KL</th><th>JS</th></tr>' + rows.join('');
}

function syncControls(frame) {
  const r = frame.resolved, s = frame.settings;
  const values = {
    objective: r.objective, compare: s.compare || 'none', learning_rate: r.learning_rate, g_learning_rate: r.g_learning_rate,
    optimizer: r.optimizer, d_steps: r.d_steps, g_steps: r.g_steps, batch_size: r.batch_size, layers: r.layers,
    neurons: r.neurons, latent_dim: r.latent_dim, latent: r.latent, seed: r.seed,
  };
  $$('[data-set]').forEach((el) => {
    if (el === document.activeElement || el.classList.contains('invalid')) return;
    const v = values[el.dataset.set];
    if (v !== undefined && v !== null) el.value = String(v);
  });
  $('#slow_motion').checked = s.slow_motion;
  $('#int8_view').checked = s.int8_view;
  $$('[data-preset]').forEach((b) => b.classList.toggle('on', b.dataset.preset === frame.data));
  const play = $('#play');
  play.textContent = frame.playing ? '⏸ Pause' : '▶ Play';
  play.classList.toggle('on', frame.playing);
}

function redraw() {
  const frame = window.lab.last;
  if (!frame || !frame.panes) return;
  panes(frame.panes.length).forEach((node, i) => {
    const pane = frame.panes[i];
    const m = pane.metrics;
    node.querySelector('.objective').textContent = pane.objective;
    node.querySelector('.objective').style.color = frame.panes.length > 1 ? PANE_COLORS[i] : '';
    node.querySelector('.summary').textContent =
      `· modes ${m.modes_covered}/${m.modes_total} · high quality ${(m.high_quality * 100).toFixed(1)}% · ${pane.d_updates_per_step} D updates/step`;
    const note = node.querySelector('.int8-note');
    if (pane.int8) {
      const q = pane.int8;
      note.textContent = `int8 (× marks, ${q.model_bytes} B model): modes ${q.modes_covered}/${m.modes_total}, `
        + `high quality ${(q.high_quality * 100).toFixed(1)}%, mean distance to float ${q.mean_error.toFixed(3)}`;
    } else note.textContent = pane.int8_problem || '';
    drawPlane(node.querySelector('canvas'), frame, pane);
  });
  drawCharts(frame);
}

function onFrame(frame) {
  window.lab.frames += 1;
  window.lab.last = frame;
  $('#step').textContent = frame.step;
  if (frame.status && !$('#message').classList.contains('error')) say(frame.status);
  if (frame.status && frame.status.includes('diverged')) say(frame.status, true);
  syncControls(frame);
  redraw();
}

// ---- the stream -------------------------------------------------------------

function connect() {
  const events = new EventSource('/events');
  events.addEventListener('open', () => { $('#connection').textContent = 'connected'; $('#connection').className = 'good'; });
  events.addEventListener('frame', (e) => {
    try { onFrame(JSON.parse(e.data)); } catch (err) { say(`cannot draw a frame: ${err.message}`, true); }
  });
  events.addEventListener('problem', (e) => say(JSON.parse(e.data).error, true));
  events.addEventListener('error', () => {
    // EventSource reconnects by itself; the lab sends the whole state again.
    $('#connection').textContent = 'disconnected: reconnecting…';
    $('#connection').className = 'bad';
  });
}
connect();
