// The TCP lab's page: loads the stack (WebAssembly, from labwasm.js), runs the chosen preset from
// its seed with the learner's changes, and shows the run step by step: the ladder, each host's
// state, the segment clicked, the transcript. A run is a pure function of (preset, seed, changes),
// all kept in the URL, so a link reproduces it and "back" re-runs it from the seed.
'use strict';

const $ = (id) => document.getElementById(id);
const STATES = ['CLOSED', 'LISTEN', 'SYN-SENT', 'SYN-RECEIVED', 'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2',
  'CLOSE-WAIT', 'CLOSING', 'LAST-ACK', 'TIME-WAIT'];
const OPS = { 1: 'connect()', 2: 'send()', 3: 'close()', 4: 'shutdown(SHUT_WR)', 5: 'abort (RST)', 6: 'SO_RCVBUF',
  7: 'reading', 8: 'listen backlog', 9: 'listen()', 10: 'HTTP request', 11: 'spoofed SYN', 12: 'keep-alive on' };
const FLAGNAMES = [[0x02, 'SYN'], [0x10, 'ACK'], [0x08, 'PSH'], [0x01, 'FIN'], [0x04, 'RST'], [0x20, 'URG']];

const errors = [];
function reportError(msg) {
  errors.push(String(msg));
  const el = $('errors');
  el.textContent = errors.join('\n');
  el.hidden = false;
}
window.addEventListener('error', (e) => reportError(e.message));
const consoleError = console.error.bind(console);
console.error = (...a) => { reportError(a.join(' ')); consoleError(...a); };
window.addEventListener('unhandledrejection', (e) => reportError(e.reason));

// ---------------- the WebAssembly module ----------------

let W = null;
const enc = new TextEncoder();
const dec = new TextDecoder();

// Compiled and instantiated synchronously (the module is small), so the page is complete when
// its scripts have run: no frame of it shows a half-loaded lab.
function loadWasm() {
  const bin = atob(LAB_WASM);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  // The C library asks for a few WASI calls (files it never opens here): each says "not supported".
  const wasi = new Proxy({}, { get: () => () => 52 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { wasi_snapshot_preview1: wasi });
  W = instance.exports;
  if (W._initialize) W._initialize();
}

function cstr(p) {
  const m = new Uint8Array(W.memory.buffer);
  let q = p;
  while (m[q]) q++;
  return dec.decode(m.subarray(p, q));
}

function putStr(s) {
  const b = enc.encode(s + '\0');
  const p = W.lab_malloc(b.length);
  new Uint8Array(W.memory.buffer, p, b.length).set(b);
  return p;
}

// ---------------- the run ----------------

const S = {
  preset: 'handshake', seed: 1, x: [], L: 0, run: null, lines: [], steps: [], rowUpTo: [], cur: -1,
  playing: false, timer: 0, anim: 0, clock: 0, sel: -1, presets: [],
};

function runLab() {
  if (S.L) W.lab_w_free(S.L);
  S.L = 0;
  const pp = putStr(S.preset);
  const sp = putStr(S.x.join(','));
  const err = W.lab_malloc(160);
  const L = W.lab_w_new(pp, S.seed, sp, err, 160);
  const msg = L ? '' : cstr(err);
  W.lab_mfree(pp);
  W.lab_mfree(sp);
  W.lab_mfree(err);
  if (!L) throw new Error('the lab refused the run: ' + msg);
  W.lab_w_run(L);
  S.L = L;
  S.run = JSON.parse(cstr(W.lab_w_json(L)));
  S.text = cstr(W.lab_w_transcript(L));
  S.lines = S.text.split('\n');
  S.steps = S.run.events;
  S.rowUpTo = [];
  let r = -1;
  for (const ev of S.steps) {
    if (ev.k === 'seg') r = Math.max(r, S.run.segs[ev.s].row);
    else if (ev.k === 'st' && ev.row >= 0) r = Math.max(r, ev.row);
    S.rowUpTo.push(r);
  }
  buildLadder();
  buildCwnd();
}

function stepTime(k) {
  return k >= 0 && k < S.steps.length ? S.steps[k].t : (S.steps.length ? Math.min(S.run.t0, S.steps[0].t) : 0);
}

// ---------------- the ladder ----------------

const SVGNS = 'http://www.w3.org/2000/svg';
const LX = 200, RX = 600, ROWH = 30, TOP = 46, WIDTH = 760;

function el(tag, attrs, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}

function segLabel(s) {
  let t = (s.fl || '.') + ' seq ' + s.rseq;
  if (s.len) t += ':' + ((s.rseq + s.len) >>> 0);
  if (s.flags & 0x10) t += ' ack ' + s.rack;
  t += ' win ' + s.swin;
  if (s.len) t += ' len ' + s.len;
  return t;
}

function buildLadder() {
  const svg = $('ladder');
  svg.textContent = '';
  const rows = S.run.rows;
  const h = TOP + rows.length * ROWH + 10;
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${h}`);
  svg.setAttribute('width', WIDTH);
  svg.style.maxWidth = '100%';
  svg.style.height = 'auto';
  svg.appendChild(el('style', {}, 'text{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11px}' +
    '.hid{display:none}.st{fill:#035;font-weight:bold}.t{fill:#777}.lost{stroke:#c22}.mark{fill:#a50}' +
    '.note{fill:#555;font-style:italic}.sel rect{fill:#fff3c4}.seg:focus rect{stroke:#06c}'));
  svg.appendChild(el('text', { x: LX, y: 16, 'text-anchor': 'middle', 'font-weight': 'bold' }, 'A 192.0.2.1'));
  svg.appendChild(el('text', { x: RX, y: 16, 'text-anchor': 'middle', 'font-weight': 'bold' }, 'B 192.0.2.2'));
  svg.appendChild(el('line', { x1: LX, y1: 24, x2: LX, y2: h, stroke: '#444' }));
  svg.appendChild(el('line', { x1: RX, y1: 24, x2: RX, y2: h, stroke: '#444' }));
  const defs = el('defs', {});
  defs.appendChild(el('marker', { id: 'ah', markerWidth: 8, markerHeight: 8, refX: 7, refY: 3, orient: 'auto' }))
    .appendChild(el('path', { d: 'M0,0 L7,3 L0,6 z', fill: '#036' }));
  svg.appendChild(defs);
  const segOfRow = {};
  S.run.segs.forEach((s, i) => { segOfRow[s.row] = i; });
  const prev = [-1, -1];
  S.rowEls = [];
  rows.forEach((r, i) => {
    const [t, dir, sa, sb, note] = r;
    const y = TOP + i * ROWH;
    const g = el('g', { class: 'row hid' });
    g.appendChild(el('rect', { x: 0, y: y - 2, width: WIDTH, height: ROWH - 2, fill: 'transparent' }));
    g.appendChild(el('text', { x: 2, y: y + 16, class: 't' }, (t / 1e6).toFixed(3)));
    if (sa >= 0 && sa !== prev[0]) g.appendChild(el('text', { x: LX - 6, y: y + 26, 'text-anchor': 'end', class: 'st' }, STATES[sa] || '?'));
    if (sb >= 0 && sb !== prev[1]) g.appendChild(el('text', { x: RX + 6, y: y + 26, class: 'st' }, STATES[sb] || '?'));
    if (sa >= 0) prev[0] = sa;
    if (sb >= 0) prev[1] = sb;
    if (dir < 0) {
      g.appendChild(el('text', { x: (LX + RX) / 2, y: y + 16, 'text-anchor': 'middle', class: 'note' }, note));
    } else {
      const si = segOfRow[i];
      const s = S.run.segs[si];
      const x1 = dir ? RX : LX, x2 = dir ? LX : RX;
      const gone = s.fate === 'dropped';
      const xe = gone ? x1 + (x2 - x1) * 0.75 : x2;
      const ye = gone ? y + 14 + 11 * 0.75 : y + 25;
      const line = el('line', { x1, y1: y + 14, x2: xe, y2: ye, stroke: gone ? '#c22' : '#036', 'stroke-width': 1.6,
        class: 'arrow', pathLength: 100 });
      if (s.fate === 'delayed') line.setAttribute('stroke-dasharray', '5 3');
      if (!gone) line.setAttribute('marker-end', 'url(#ah)');
      g.appendChild(line);
      if (gone) g.appendChild(el('text', { x: xe - 4, y: ye + 4, fill: '#c22', 'font-weight': 'bold' }, '✗'));
      let lab = segLabel(s);
      const marks = [s.fate, s.mark].filter((m) => m);
      g.appendChild(el('text', { x: (LX + RX) / 2, y: y + 10, 'text-anchor': 'middle' }, lab));
      // What is special about it, under the arrow near where it leaves.
      if (marks.length) g.appendChild(el('text', { x: dir ? RX - 8 : LX + 8, y: y + 26, 'text-anchor': dir ? 'end' : 'start', class: 'mark' }, marks.join(', ')));
      g.setAttribute('class', 'row seg hid');
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'listitem');
      g.setAttribute('aria-label', `#${s.i} ${dir ? 'B to A' : 'A to B'} ${lab} ${marks.join(' ')}`);
      g.addEventListener('click', () => select(si));
      g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); e.stopPropagation(); select(si); } });
    }
    svg.appendChild(g);
    S.rowEls.push(g);
  });
}

// ---------------- the cwnd plot ----------------

function buildCwnd() {
  const pts = S.run.cwnd;
  const box = $('cwndbox');
  const per = [0, 0];
  pts.forEach((p) => per[p[1]]++);
  const who = per[1] > per[0] ? 1 : 0;
  const mine = pts.filter((p) => p[1] === who);
  S.cw = null;
  if (mine.length < 8) { box.hidden = true; return; }
  box.hidden = false;
  $('cwho').textContent = who ? 'B' : 'A';
  const svg = $('cwnd');
  svg.textContent = '';
  const t0 = mine[0][0], t1 = Math.max(mine[mine.length - 1][0], t0 + 1);
  const maxc = Math.max(...mine.map((p) => p[2]));
  const X = (t) => 50 + (t - t0) / (t1 - t0) * 690, Y = (c) => 180 - c / maxc * 160;
  svg.appendChild(el('style', {}, 'text{font-family:ui-monospace,monospace;font-size:11px}'));
  svg.appendChild(el('line', { x1: 50, y1: 180, x2: 740, y2: 180, stroke: '#444' }));
  svg.appendChild(el('line', { x1: 50, y1: 20, x2: 50, y2: 180, stroke: '#444' }));
  svg.appendChild(el('text', { x: 2, y: 24 }, Math.round(maxc / 1024) + ' KB'));
  svg.appendChild(el('text', { x: 2, y: 184 }, '0'));
  svg.appendChild(el('text', { x: 50, y: 196 }, (t0 / 1e6).toFixed(2) + ' s'));
  svg.appendChild(el('text', { x: 740, y: 196, 'text-anchor': 'end' }, (t1 / 1e6).toFixed(2) + ' s'));
  let d = '', ds = '';
  mine.forEach((p, i) => {
    d += (i ? 'L' : 'M') + X(p[0]).toFixed(1) + ',' + Y(p[2]).toFixed(1);
    if (p[3] < maxc * 4) ds += (ds ? 'L' : 'M') + X(p[0]).toFixed(1) + ',' + Y(Math.min(p[3], maxc)).toFixed(1);
  });
  svg.appendChild(el('path', { d, fill: 'none', stroke: '#036', 'stroke-width': 1.5 }));
  if (ds) svg.appendChild(el('path', { d: ds, fill: 'none', stroke: '#a50', 'stroke-dasharray': '4 3' }));
  svg.appendChild(el('text', { x: 740, y: 34, 'text-anchor': 'end', fill: '#036' }, 'cwnd'));
  svg.appendChild(el('text', { x: 740, y: 48, 'text-anchor': 'end', fill: '#a50' }, 'ssthresh (dashed)'));
  const cur = el('line', { x1: 50, y1: 20, x2: 50, y2: 180, stroke: '#c22' });
  svg.appendChild(cur);
  S.cw = { cur, X, t0, t1 };
}

// ---------------- showing a step ----------------

function hostView(k) {
  const st = ['CLOSED', 'CLOSED'], reading = [1, 1];
  let conn = [0, 0];
  for (let i = 0; i <= k && i < S.steps.length; i++) {
    const ev = S.steps[i];
    if (ev.k === 'st') { st[ev.h] = ev.to; conn[ev.h] = ev.conn; }
    if (ev.k === 'app' && ev.op === 7) reading[ev.h] = ev.arg;
  }
  return { st, reading, conn };
}

function render(animate) {
  const k = S.cur;
  const upto = k >= 0 ? S.rowUpTo[k] : -1;
  S.rowEls.forEach((g, i) => {
    const show = i <= upto;
    g.classList.toggle('hid', !show);
    g.classList.toggle('sel', S.sel >= 0 && S.run.segs[S.sel].row === i);
  });
  if (upto >= 0 && S.rowEls[upto]) {
    const a = S.rowEls[upto].querySelector('.arrow');
    if (animate && a && a.animate) a.animate([{ strokeDasharray: '0 100' }, { strokeDasharray: '100 0' }], { duration: 350 / speed() });
    keepInBox(S.rowEls[upto]);
  }
  const v = hostView(k);
  S.view = v;
  for (const h of [0, 1]) {
    $('state' + h).textContent = v.st[h];
    const b = document.querySelector(`button[data-h="${h}"][data-op="read"]`);
    b.textContent = v.reading[h] ? 'stop reading' : 'read again';
  }
  // The transcript: the header and the rows shown so far (all of it at the end).
  const n = upto + 1;
  $('transcript').textContent = n >= S.run.rows.length ? S.text : S.lines.slice(0, 2 + n).join('\n') + '\n';
  $('pos').textContent = ` step ${k + 1} of ${S.steps.length}`;
  $('play').firstChild.textContent = S.playing ? '⏸ ' : '▶ ';
  $('play').lastChild.textContent = S.playing ? 'pause' : 'play';
  $('play').setAttribute('aria-pressed', S.playing ? 'true' : 'false');
  setClock(stepTime(k));
}

// Scrolls the ladder's box (not the page) so that a row is in view.
function keepInBox(g) {
  const box = $('ladderbox');
  const r = g.getBoundingClientRect(), b = box.getBoundingClientRect();
  if (r.bottom > b.bottom) box.scrollTop += r.bottom - b.bottom + 8;
  else if (r.top < b.top) box.scrollTop -= b.top - r.top + 8;
}

function setClock(t) {
  S.clock = t;
  $('clock').textContent = (t / 1e6).toFixed(6) + ' s';
  // TIME-WAIT lasts 2·MSL: show what is left of it, from when the run says it ends.
  for (const h of [0, 1]) {
    let txt = '';
    if (S.view && S.view.st[h] === 'TIME-WAIT') {
      const end = S.steps.find((ev, i) => i > S.cur && ev.k === 'st' && ev.h === h && ev.from === 'TIME-WAIT' && ev.conn === S.view.conn[h]);
      const left = end ? (end.t - t) / 1e6 : null;
      txt = left !== null ? `2·MSL timer: ${left.toFixed(1)} s left` : '2·MSL timer running';
    }
    $('timer' + h).textContent = txt;
  }
  if (S.cw) {
    const x = S.cw.X(Math.min(Math.max(t, S.cw.t0), S.cw.t1));
    S.cw.cur.setAttribute('x1', x);
    S.cw.cur.setAttribute('x2', x);
  }
}

function speed() { return Number($('speed').value) || 1; }

function go(k, animate) {
  S.cur = Math.max(-1, Math.min(k, S.steps.length - 1));
  render(animate);
}

function stop() {
  S.playing = false;
  clearTimeout(S.timer);
  cancelAnimationFrame(S.anim);
  render(false);
}

// One step per tick; the clock runs on between steps, faster across long idle gaps.
function tick() {
  if (!S.playing) return;
  if (S.cur >= S.steps.length - 1) { stop(); return; }
  const from = stepTime(S.cur), to = stepTime(S.cur + 1);
  const gapms = (to - from) / 1000;
  const dur = (300 + Math.min(2500, Math.log10(1 + gapms) * 500)) / speed();
  const start = performance.now();
  const spin = (now) => {
    const f = Math.min(1, (now - start) / dur);
    setClock(from + (to - from) * f);
    if (f < 1 && S.playing) S.anim = requestAnimationFrame(spin);
  };
  S.anim = requestAnimationFrame(spin);
  S.timer = setTimeout(() => { go(S.cur + 1, true); tick(); }, dur);
}

function play() {
  if (S.playing) { stop(); return; }
  if (S.cur >= S.steps.length - 1) S.cur = -1;
  S.playing = true;
  render(false);
  tick();
}

// Back: the run is a function of its seed, so run it again from the start and stop one step
// earlier.
function back() {
  stop();
  const k = S.cur - 1;
  runLab();
  go(k, false);
}

// ---------------- the segment clicked ----------------

function select(si) {
  S.sel = si;
  const s = S.run.segs[si];
  const d = $('detail');
  d.hidden = false;
  const dir = s.d ? 'B → A' : 'A → B';
  $('dtitle').textContent = `Segment #${s.i}, ${dir}`;
  const flags = FLAGNAMES.filter(([b]) => s.flags & b).map(([, n]) => n).join(', ') || 'none';
  const rows = [
    ['why', s.why + (s.mark ? ` (${s.mark})` : '')],
    ['what happened', s.fate ? s.fate + (s.fate === 'delayed' ? ` by ${s.farg} ms` : '') + (s.fate === 'dropped' && !S.x.includes(`f${s.i}:drop`) ? ' (by the scenario or the link)' : '') : 'delivered'],
    ['sent at', (s.t / 1e6).toFixed(6) + ' s'],
    ['arrived at', s.arr >= 0 ? (s.arr / 1e6).toFixed(6) + ' s' : '— (never)'],
    ['addresses', `${s.sa}:${s.sp} → ${s.da}:${s.dp}`],
    ['flags', `${flags} (${s.fl})`],
    ['sequence number', `${s.rseq} relative, ${s.seq} absolute`],
    ['acknowledgment', s.flags & 0x10 ? `${s.rack} relative, ${s.ack} absolute` : '— (no ACK flag)'],
    ['window', s.swin !== s.win ? `${s.swin} bytes (field ${s.win}, scaled)` : `${s.win} bytes`],
    ['data', `${s.len} bytes`],
    ['header', `${s.hl} bytes`],
    ['options', s.opt || 'none'],
    ['checksum', '0x' + s.ck.toString(16).padStart(4, '0') + (s.fate === 'corrupted' ? ' (a bit was flipped on the way: the receiver drops it)' : '')],
  ];
  const t = $('dfields');
  t.textContent = '';
  for (const [k, v] of rows) {
    const tr = t.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = v;
  }
  render(false);
  if (S.rowEls[s.row] && !S.rowEls[s.row].classList.contains('hid')) keepInBox(S.rowEls[s.row]);
}

function setFate(op) {
  if (S.sel < 0) return;
  const s = S.run.segs[S.sel];
  const frame = s.i;
  S.x = S.x.filter((e) => !e.startsWith(`f${frame}:`));
  if (op === 'delay') S.x.push(`f${frame}:delay:${Math.max(1, Math.min(60000, Number($('fdelayms').value) || 300))}`);
  else if (op) S.x.push(`f${frame}:${op}`);
  rerun(S.steps.findIndex((ev) => ev.k === 'seg' && S.run.segs[ev.s].i === frame));
  const again = S.run.segs.findIndex((x) => x.i === frame);
  if (again >= 0) select(again); else $('detail').hidden = true;
}

// ---------------- the hosts' programs ----------------

function hostAction(h, op) {
  const t = Math.max(Math.round(S.clock), S.run.t0 - 100000);
  const who = h ? 'B' : 'A';
  let item = `a${t}:${who}:${op}`;
  if (op === 'send') item += ':' + Math.max(1, Math.min(1000000, Number($('n' + h).value) || 1000));
  if (op === 'rcvbuf') item += ':' + Math.max(256, Math.min(4194304, Number($('buf' + h).value) || 4096));
  if (op === 'backlog') item += ':' + Math.max(0, Math.min(128, Number($('bl' + h).value) || 0));
  if (op === 'read') item += ':' + (S.view && S.view.reading[h] ? 0 : 1);
  S.x.push(item);
  rerun(S.cur);
}

// ---------------- changes, URL, exports ----------------

function describe(x) {
  let m = /^f(\d+):(\w+)(?::(\d+))?$/.exec(x);
  if (m) return `frame #${m[1]}: ${m[2] === 'dup' ? 'duplicate' : m[2]}${m[3] ? ' ' + m[3] + ' ms' : ''}`;
  m = /^a(\d+):([AB]):(\w+)(?::(\d+))?$/.exec(x);
  if (m) return `at ${(m[1] / 1e6).toFixed(6)} s ${m[2]}: ${m[3]}${m[4] !== undefined ? ' ' + m[4] : ''}`;
  return x;
}

function rerun(k) {
  stop();
  try {
    runLab();
  } catch (e) {
    reportError(e.message);
    S.x.pop();
    runLab();
  }
  saveUrl();
  showChanges();
  go(k, false);
}

function showChanges() {
  const ul = $('xlist');
  ul.textContent = '';
  if (!S.x.length) {
    const li = document.createElement('li');
    li.textContent = 'none: the scenario as it is. Click a segment to drop, delay, duplicate or corrupt it; use a host\'s buttons to make its program act at the current time.';
    ul.appendChild(li);
  }
  S.x.forEach((x, i) => {
    const li = document.createElement('li');
    li.textContent = describe(x) + ' ';
    const b = document.createElement('button');
    b.textContent = 'undo';
    b.setAttribute('aria-label', 'undo ' + describe(x));
    b.addEventListener('click', () => { S.x.splice(i, 1); rerun(S.cur); });
    li.appendChild(b);
    ul.appendChild(li);
  });
}

function urlFor() {
  const p = new URLSearchParams();
  p.set('preset', S.preset);
  p.set('seed', String(S.seed));
  if (S.x.length) p.set('x', S.x.join(','));
  return '?' + p.toString().replace(/%2C/g, ',').replace(/%3A/g, ':');
}

function saveUrl() {
  try { history.replaceState(null, '', urlFor()); } catch (e) { /* file:// in some browsers */ }
}

function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

function pcapBytes() {
  const lp = W.lab_malloc(4);
  const p = W.lab_w_pcap(S.L, lp);
  const len = new DataView(W.memory.buffer).getUint32(lp, true);
  const out = new Uint8Array(W.memory.buffer, p, len).slice();
  W.lab_mfree(lp);
  return out;
}

function toBase64(u8) {
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
  return btoa(s);
}

function ladderSvg() {
  const svg = $('ladder').cloneNode(true);
  svg.querySelectorAll('.hid').forEach((g) => g.remove());
  svg.insertBefore(el('rect', { width: '100%', height: '100%', fill: 'white' }), svg.firstChild);
  return new XMLSerializer().serializeToString(svg);
}

// ---------------- start ----------------

function choosePreset(name) {
  S.preset = name;
  const p = S.presets.find((q) => q.name === name);
  const t = LAB_TEXT[name] || {};
  $('title').textContent = p ? p.title : name;
  $('what').textContent = t.what || '';
  $('watch').textContent = t.watch ? 'Watch: ' + t.watch : '';
  $('preset').value = name;
}

function main() {
  loadWasm();
  const buf = W.lab_malloc(8192);
  W.lab_w_presets(buf, 8192);
  S.presets = JSON.parse(cstr(buf));
  W.lab_mfree(buf);
  const sel = $('preset');
  for (const p of S.presets) {
    const o = document.createElement('option');
    o.value = p.name;
    o.textContent = p.title;
    sel.appendChild(o);
  }
  const q = new URLSearchParams(location.search);
  const name = S.presets.some((p) => p.name === q.get('preset')) ? q.get('preset') : 'handshake';
  if (q.get('preset') && name !== q.get('preset')) reportError('no preset named ' + q.get('preset'));
  S.seed = /^\d{1,15}$/.test(q.get('seed') || '') ? Number(q.get('seed')) : 1;
  S.x = (q.get('x') || '').split(',').filter((s) => s);
  $('seed').value = S.seed;
  choosePreset(name);
  try {
    runLab();
  } catch (e) {
    reportError(e.message);
    S.x = [];
    runLab();
  }
  showChanges();
  saveUrl();
  // run=1 plays to the end at once; at=K shows the first K steps; seg=N opens frame N's segment.
  const at = /^\d+$/.test(q.get('at') || '') ? Number(q.get('at')) - 1 : -1;
  go(q.get('run') === '1' ? S.steps.length - 1 : at, false);
  const seg = S.run.segs.findIndex((x) => String(x.i) === q.get('seg'));
  if (seg >= 0) select(seg);
  if (q.get('pcap') === '1') $('pcapdata').textContent = toBase64(pcapBytes());
  if (q.get('svg') === '1') $('pcapdata').textContent = ladderSvg();

  sel.addEventListener('change', () => { choosePreset(sel.value); S.x = []; $('detail').hidden = true; S.sel = -1; rerun(-1); });
  $('seed').addEventListener('change', () => {
    const v = Number($('seed').value);
    if (Number.isInteger(v) && v >= 0 && v < 1e15) { S.seed = v; S.sel = -1; $('detail').hidden = true; rerun(-1); }
  });
  $('restart').addEventListener('click', () => { stop(); go(-1, false); });
  $('back').addEventListener('click', back);
  $('play').addEventListener('click', play);
  $('step').addEventListener('click', () => { stop(); go(S.cur + 1, true); });
  $('toend').addEventListener('click', () => { stop(); go(S.steps.length - 1, false); });
  $('fdrop').addEventListener('click', () => setFate('drop'));
  $('fdelay').addEventListener('click', () => setFate('delay'));
  $('fdup').addEventListener('click', () => setFate('dup'));
  $('fcorrupt').addEventListener('click', () => setFate('corrupt'));
  $('fclear').addEventListener('click', () => setFate(''));
  document.querySelectorAll('button[data-op]').forEach((b) =>
    b.addEventListener('click', () => hostAction(Number(b.dataset.h), b.dataset.op)));
  $('pcapbtn').addEventListener('click', () =>
    download(`synack-lab-${S.preset}-${S.seed}.pcap`, new Blob([pcapBytes()], { type: 'application/vnd.tcpdump.pcap' })));
  $('svgbtn').addEventListener('click', () =>
    download(`synack-lab-${S.preset}-${S.seed}.svg`, new Blob([ladderSvg()], { type: 'image/svg+xml' })));
  $('link').addEventListener('click', () => {
    const url = location.href.split('?')[0] + urlFor();
    const done = () => { $('link').textContent = 'copied'; setTimeout(() => { $('link').textContent = 'link'; }, 1500); };
    const ask = () => window.prompt('The link to this run:', url);
    if (navigator.clipboard) navigator.clipboard.writeText(url).then(done, ask); else ask();
  });
  document.addEventListener('keydown', (e) => {
    if (e.target.closest && e.target.closest('input, select, textarea')) return;
    if (e.key === ' ' && !(e.target.closest && e.target.closest('button, .seg'))) { e.preventDefault(); play(); }
    else if (e.key === 'ArrowRight') { e.preventDefault(); stop(); go(S.cur + 1, true); }
    else if (e.key === 'ArrowLeft') { e.preventDefault(); back(); }
    else if (e.key === 'Home') { e.preventDefault(); stop(); go(-1, false); }
    else if (e.key === 'End') { e.preventDefault(); stop(); go(S.steps.length - 1, false); }
  });
  document.body.dataset.ready = '1';
}

try {
  main();
} catch (e) {
  reportError(e && e.stack ? e.stack : e);
}
