// pagecheck.js — opens pages from disk in headless Chromium through the
// DevTools protocol (node's built-in WebSocket: run with
// `node --experimental-websocket`) and checks each one:
//   - no console error, no uncaught exception, no failed resource load;
//   - every <img> loaded (complete and naturalWidth > 0);
//   - every <a href> resolves to an existing file.
// Usage: node --experimental-websocket pagecheck.js [--screenshot PAGE=OUT.png] FILE.html...
// Prints "ok - <page>: ..." or "not ok - <page>: <why>" per page (the e2e
// format) and exits 1 when any page failed.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { fileURLToPath, pathToFileURL } = require('url');

const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const args = process.argv.slice(2);
const shots = {};
const pages = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--screenshot') {
    const [page, out] = args[++i].split('=');
    shots[path.basename(page)] = out;
  } else {
    pages.push(path.resolve(args[i]));
  }
}

function startChromium() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pxs-chromium.'));
  const child = spawn(chromium, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-dev-shm-usage', '--hide-scrollbars', `--user-data-dir=${profile}`, '--remote-debugging-port=0',
    'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error('chromium did not start: ' + err)), 30000);
    child.stderr.on('data', (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) { clearTimeout(timer); resolve({ child, profile, url: m[1] }); }
    });
    child.on('exit', (code) => reject(new Error(`chromium exited (${code}): ${err}`)));
  });
}

// A minimal CDP client: send() returns the result; events go to listeners.
function connect(url) {
  const ws = new WebSocket(url);
  let id = 0;
  const waiting = new Map();
  const listeners = [];
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.id && waiting.has(msg.id)) {
      const { resolve, reject } = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.error) reject(new Error(msg.error.message)); else resolve(msg.result);
    } else if (msg.method) {
      for (const l of listeners) l(msg);
    }
  };
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    const m = { id: ++id, method, params };
    if (sessionId) m.sessionId = sessionId;
    waiting.set(m.id, { resolve, reject });
    ws.send(JSON.stringify(m));
  });
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve({ ws, send, on: (f) => listeners.push(f) });
    ws.onerror = (e) => reject(new Error('websocket: ' + (e.message || 'error')));
  });
}

async function checkPage(cdp, sessionId, file, problems) {
  const loaded = new Promise((resolve) => {
    const f = (msg) => { if (msg.sessionId === sessionId && msg.method === 'Page.loadEventFired') resolve(); };
    cdp.on(f);
  });
  await cdp.send('Page.navigate', { url: pathToFileURL(file).href }, sessionId);
  await Promise.race([loaded, new Promise((r) => setTimeout(r, 15000))]);
  const expr = `JSON.stringify({
      imgs: [...document.images].map(i => ({src: i.src, ok: i.complete && i.naturalWidth > 0, w: i.naturalWidth})),
      links: [...document.querySelectorAll('a[href]')].map(a => a.href),
      title: document.title, doctype: document.doctype ? document.doctype.name : null})`;
  const r = await cdp.send('Runtime.evaluate', { expression: expr, returnByValue: true }, sessionId);
  const info = JSON.parse(r.result.value);
  if (info.doctype !== 'html') problems.push('no <!DOCTYPE html>');
  for (const img of info.imgs) if (!img.ok) problems.push(`image not loaded: ${img.src}`);
  for (const href of info.links) {
    const u = new URL(href);
    if (u.protocol !== 'file:') { problems.push(`link leaves the tree: ${href}`); continue; }
    const p = fileURLToPath(u);
    if (!fs.existsSync(p)) problems.push(`link to a missing file: ${p}`);
  }
  return info;
}

async function main() {
  const chrome = await startChromium();
  let failed = 0;
  try {
    const cdp = await connect(chrome.url);
    const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
    let errors = [];
    cdp.on((msg) => {
      if (msg.sessionId !== sessionId) return;
      if (msg.method === 'Runtime.consoleAPICalled' && (msg.params.type === 'error' || msg.params.type === 'assert'))
        errors.push('console: ' + msg.params.args.map((a) => a.value || a.description).join(' '));
      else if (msg.method === 'Runtime.exceptionThrown')
        errors.push('exception: ' + msg.params.exceptionDetails.text);
      else if (msg.method === 'Log.entryAdded' && msg.params.entry.level === 'error')
        errors.push('log: ' + msg.params.entry.text + (msg.params.entry.url ? ' ' + msg.params.entry.url : ''));
    });
    for (const m of ['Page.enable', 'Runtime.enable', 'Log.enable'])
      await cdp.send(m, {}, sessionId);
    await cdp.send('Emulation.setDeviceMetricsOverride',
      { width: 1280, height: 1000, deviceScaleFactor: 1, mobile: false }, sessionId);
    for (const file of pages) {
      const problems = [];
      errors = [];
      const name = path.basename(file);
      let info = { imgs: [], links: [] };
      try {
        info = await checkPage(cdp, sessionId, file, problems);
      } catch (e) {
        problems.push(String(e.message || e));
      }
      await new Promise((r) => setTimeout(r, 200));   // late console messages
      problems.push(...errors);
      if (shots[name]) {
        const shot = await cdp.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true }, sessionId);
        fs.writeFileSync(shots[name], Buffer.from(shot.data, 'base64'));
      }
      if (problems.length) {
        failed++;
        console.log(`not ok - chromium: ${name}: ${problems.slice(0, 5).join('; ')}`);
      } else {
        console.log(`ok - chromium: ${name}: no console error, ${info.imgs.length} images loaded, ${info.links.length} links resolve`);
      }
    }
    await cdp.send('Browser.close').catch(() => {});
    cdp.ws.close();
  } finally {
    // chromium may still be writing its profile: wait for it before removing it
    const gone = new Promise((r) => { if (chrome.child.exitCode !== null) r(); else chrome.child.on('exit', r); });
    chrome.child.kill('SIGKILL');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    try { fs.rmSync(chrome.profile, { recursive: true, force: true, maxRetries: 5 }); } catch (e) { /* a leftover temp profile is harmless */ }
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.log(`not ok - chromium: ${e.message || e}`); process.exit(1); });
