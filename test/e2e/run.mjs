// End-to-end test in a real VS Code (code-server driven by Playwright on Debian's chromium): builds and packages the
// extension (`npm run package`), installs that .vsix, follows the walkthrough (Open Sample, Compare), opens a guest
// trace, checks language mode, hovers, the Analysis panel, a trace.dat and the Compare panel, and saves screenshots
// (dark and light theme) in .e2e/screenshots. `npm run test:e2e`; not in `npm test`.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, CODE_SERVER, NODE24_BIN, TOOLS, setup } from './setup.mjs';
import { comparePictureChecks, lightPictureChecks, pictureChecks } from './pictureChecks.mjs';
import { loadRecording, writeScaledText } from '../../scripts/bench-lib/generate.mjs';
import { eventListChecks } from './eventListChecks.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TRACE = join(REPO, 'test', 'fixtures', 'guest-trace', 'tcprr-cross-poll0.head.report.txt');
const DAT = join(REPO, 'samples', 'guest-trace', 'tcprr-cross-poll0.dat');
const SHOTS = join(REPO, '.e2e', 'screenshots');
// hand-made analyses in the shape of docs/analysis.schema.json: show the panels' charts and cards even while the
// model is thin
const FIXTURE_A = join(REPO, 'test', 'fixtures', 'extension', 'analysis-tcprr.json');
const FIXTURE_B = join(REPO, 'test', 'fixtures', 'extension', 'analysis-tcprr-poll.json');
const KEEP = process.env.KVL_E2E_KEEP === '1';
const RECORDING = join(REPO, 'test', 'fixtures', 'guest-trace', 'tcprr-cross-poll0.report.txt.gz');
// a trace text just under VS Code's 50 MB limit for documents handed to extensions, opened in the editor
const BIG_TEXT = 'big-40mb.report.txt';
const BIG_TEXT_BYTES = 40_000_000;
// a larger one read from disk (never opened as a document): slow enough to watch partial results and cancel
const HUGE_TEXT = 'huge.report.txt';
// 24 × 25.9 MB: read in ~3 s now, long enough to see partial results change and to cancel before the end
const HUGE_COPIES = 24;
// hostile text in a file name, task names, an event name/payload and two exit reasons (no spaces, so they are reasons)
const IMG = `<img src=x onerror="document.title='pwned'">`;
const IMG_TIGHT = `<img/src/onerror=document.title='pwned'>`;
const SCRIPT = `<script>document.title='pwned'</script>`;
const HOSTILE_NAME = `${IMG}.report.txt`;

const results = [];
function check(name, ok, detail = '', { soft = false } = {}) {
  results.push({ name, ok: !!ok, detail, soft });
  console.log(`${ok ? 'PASS' : soft ? 'SOFT-FAIL' : 'FAIL'}  ${name}${detail ? ` — ${detail}` : ''}`);
}

function sh(cmd, args, opts = {}) {
  console.error(`[e2e] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: REPO, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

async function waitForHttp(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Finds the first frame (webviews are nested iframes) where the selector matches. */
async function findInFrames(page, selector, ms, text = null) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      try {
        const el = await f.$(selector);
        if (el && (text === null || ((await el.textContent()) ?? '').includes(text))) return f;
      } catch {
        /* frame navigated away */
      }
    }
    await sleep(500);
  }
  return null;
}

async function runCommand(page, title) {
  const input = page.locator('.quick-input-widget input');
  // F1 can be swallowed while a webview has the focus: then give the focus back to the workbench and retry
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 3000 });
      break;
    } catch {
      await page
        .locator('.part.statusbar')
        .click({ position: { x: 700, y: 10 } })
        .catch(() => {});
    }
  }
  await input.waitFor({ state: 'visible', timeout: 5000 });
  await input.fill(`>${title}`);
  await sleep(800);
  // prefer the row whose label is exactly the title (fuzzy matching may rank a longer command first)
  const exact = page.locator('.quick-input-list .monaco-list-row', {
    has: page.locator('.label-name', { hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
  });
  if ((await exact.count()) > 0) await exact.first().click();
  else await page.keyboard.press('Enter');
}

async function openFile(page, name) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(name);
  await sleep(1200);
  // file search can be slow on a busy machine: wait for a result before accepting
  await page
    .locator('.quick-input-list .monaco-list-row')
    .first()
    .waitFor({ state: 'visible', timeout: 15_000 })
    .catch(() => {});
  await page.keyboard.press('Enter');
}

/** Hovers the first token with this exact text on a line containing `lineText`; returns the hover's text. */
async function hoverToken(page, lineText, token, waitFor) {
  const line = page.locator('.monaco-editor .view-line', { hasText: lineText }).first();
  await line.waitFor({ state: 'visible', timeout: 10_000 });
  const span = line.locator('span > span', { hasText: token }).first();
  const box = await span.boundingBox();
  if (!box) return '';
  let text = '';
  for (let attempt = 0; attempt < 6; attempt++) {
    await page.mouse.move(5, 5);
    await sleep(300);
    await page.mouse.move(box.x + Math.min(box.width / 2, 12), box.y + box.height / 2);
    const hover = page.locator('.monaco-hover-content').first();
    try {
      await hover.waitFor({ state: 'visible', timeout: 5000 });
      text = (await hover.innerText()).trim();
    } catch {
      text = '';
    }
    if (text && (!waitFor || waitFor.test(text))) break;
    await sleep(1500);
  }
  return text;
}

/** The trace texts made for the scale and hostile-text checks, in the workspace. */
async function makeGeneratedInputs(workspace) {
  const rec = loadRecording(RECORDING);
  // two shifted copies, cut at the last whole line under 40 MB
  const big = join(workspace, BIG_TEXT);
  await writeScaledText(rec, 2, big);
  const head = readFileSync(big).subarray(0, BIG_TEXT_BYTES);
  writeFileSync(big, head.subarray(0, head.lastIndexOf(0x0a) + 1));
  await writeScaledText(rec, HUGE_COPIES, join(workspace, HUGE_TEXT));

  const base = readFileSync(TRACE, 'utf8').split('\n').slice(0, 60);
  const lines = base.map((l, i) =>
    i > 0 && i % 6 === 0 ? l.replace(/^\s*\S+?-(\d+)\s+\[/, `${IMG}${SCRIPT}-$1 [`) : l,
  );
  lines.splice(
    20,
    0,
    `  qemu-kvm-4242  [001] 10729.494800: kvm_exit:             reason ${SCRIPT} rip 0xffffffff81000000 info 0 0`,
  );
  lines.splice(
    22,
    0,
    `  qemu-kvm-4242  [001] 10729.494810: kvm_exit:             reason ${IMG_TIGHT} rip 0xffffffff81000000 info 0 0`,
  );
  lines.splice(24, 0, `          <idle>-0     [001] 10729.494820: ${SCRIPT}: ${IMG} payload`);
  writeFileSync(join(workspace, HOSTILE_NAME), lines.join('\n') + '\n');
}

/**
 * Waits until an Analysis panel's root is in this state ("busy", "reading", "partial", "final"); polls every 100 ms.
 */
async function waitPanelState(page, states, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      try {
        const state = await f.$eval('[data-testid="analysis-panel"]', (e) => e.getAttribute('data-state'));
        if (states.includes(state)) return { frame: f, state };
      } catch {
        /* not this frame, or it navigated away */
      }
    }
    await sleep(100);
  }
  return null;
}

/** VS Code's own (browser) open dialog: type the full path and accept. */
async function pickFileInSimpleDialog(page, path) {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await sleep(500);
  await input.fill(path);
  await sleep(800);
  await page.keyboard.press('Enter');
}

/**
 * Moves the mouse onto a token and times until the hover shows content matching `want` (a MutationObserver in the page
 * stamps the moment). Returns { ms, text }; ms includes the editor.hover.delay setting.
 */
async function timedHover(page, box, want) {
  const x = box.x + Math.min(box.width / 2, 12);
  const y = box.y + box.height / 2;
  let last = { ms: null, text: '' };
  // Monaco starts a hover on mouse *movement* over a token: arrive, then move by a pixel (a user's hand never stands
  // still). A hover that does not come is tried again, as a user would.
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.mouse.move(5, 5);
    await sleep(600);
    await page.evaluate((source) => {
      const re = new RegExp(source);
      const w = window;
      w.__kvlHover = { at: null, t0: performance.now() };
      // only a visible hover counts: closed editors can leave hidden hover widgets behind
      const visibleHover = () =>
        [...document.querySelectorAll('.monaco-hover-content')].find(
          (e) => e.getClientRects().length > 0 && re.test(e.textContent ?? ''),
        );
      const obs = new MutationObserver(() => {
        const h = visibleHover();
        if (h) {
          w.__kvlHover.at = performance.now();
          obs.disconnect();
        }
      });
      obs.observe(document.body, { subtree: true, childList: true, characterData: true });
      w.__kvlHover.t0 = performance.now();
    }, want.source);
    await page.mouse.move(x, y);
    await sleep(30);
    await page.mouse.move(x + 1, y);
    const end = Date.now() + 3000;
    let r = null;
    while (Date.now() < end) {
      r = await page.evaluate(() => window.__kvlHover);
      if (r.at !== null) break;
      await sleep(20);
    }
    const text = (
      await page
        .locator('.monaco-hover-content')
        .filter({ visible: true })
        .last()
        .innerText({ timeout: 1000 })
        .catch(() => '')
    ).trim();
    last = { ms: r && r.at !== null ? r.at - r.t0 : null, text };
    if (last.ms !== null) break;
  }
  return last;
}

/** Scrolls the visible editor back to column 1 (a click or a long line can leave it scrolled far right). */
async function scrollEditorLeft(page) {
  const box = await page
    .locator('.monaco-editor .view-lines')
    .filter({ visible: true })
    .first()
    .boundingBox()
    .catch(() => null);
  if (!box) return;
  await page.mouse.move(box.x + 40, box.y + 40);
  for (let i = 0; i < 5; i++) await page.mouse.wheel(-5_000, 0);
  await sleep(500);
}

/** Switches dark ↔ light the way a user does (the settings file is only read at start). */
async function toggleLightDark(page) {
  await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
  await sleep(2500);
}

async function setTheme(userDir, theme) {
  writeFileSync(join(userDir, 'User', 'settings.json'), JSON.stringify(settings(theme), null, 2));
}

function settings(theme) {
  return {
    'workbench.colorTheme': theme,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.ignoreRecommendations': true,
    'editor.hover.delay': 200,
    // the web workbench asks before opening files over 10 MB; the 40 MB trace is opened on purpose
    'workbench.editorLargeFileConfirmation': 100,
    'editor.minimap.enabled': false,
    'chat.disableAIFeatures': true,
    'update.mode': 'none',
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.commandCenter.enabled': false,
  };
}

async function main() {
  setup();
  sh('npm', ['run', 'build']);
  const work = mkdtempSync(join(tmpdir(), 'kvl-e2e-'));
  try {
    await drive(work);
  } finally {
    if (!KEEP) rmSync(work, { recursive: true, force: true });
  }
  const hard = results.filter((r) => !r.ok && !r.soft);
  const soft = results.filter((r) => !r.ok && r.soft);
  console.log(
    `\n${results.length - hard.length - soft.length}/${results.length} passed, ${hard.length} failed, ` +
      `${soft.length} soft failures; screenshots in ${SHOTS}`,
  );
  process.exit(hard.length > 0 ? 1 : 0);
}

/** Packages, installs and drives code-server; everything it makes lives in `work`. */
async function drive(work) {
  // the .vsix a user gets: `npm run package` builds, packages and checks it (runtime only, size budget)
  sh('npm', ['run', 'package']);
  const vsix = join(REPO, 'dist', 'kvm-trace-lens.vsix');

  const workspace = join(work, 'workspace');
  const userDir = join(work, 'user');
  const extDir = join(work, 'extensions');
  for (const d of [workspace, join(userDir, 'User'), extDir, SHOTS]) mkdirSync(d, { recursive: true });
  copyFileSync(TRACE, join(workspace, 'tcprr-cross-poll0.head.report.txt'));
  if (existsSync(DAT)) copyFileSync(DAT, join(workspace, 'tcprr-cross-poll0.dat'));
  copyFileSync(FIXTURE_A, join(workspace, 'example-poll-off.analysis.json'));
  copyFileSync(FIXTURE_B, join(workspace, 'example-poll-on.analysis.json'));
  await setTheme(userDir, 'Default Dark Modern');

  const env = { ...process.env, PATH: `${NODE24_BIN}:${process.env.PATH}` };
  const node24 = join(NODE24_BIN, 'node');
  sh(node24, [CODE_SERVER, '--user-data-dir', userDir, '--extensions-dir', extDir, '--install-extension', vsix], {
    env,
  });

  const port = await freePort();
  const server = spawn(
    node24,
    [
      CODE_SERVER,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir',
      userDir,
      '--extensions-dir',
      extDir,
      workspace,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const serverLog = [];
  server.stdout.on('data', (d) => serverLog.push(String(d)));
  server.stderr.on('data', (d) => serverLog.push(String(d)));

  const require = createRequire(join(TOOLS, 'node_modules', 'x.js'));
  const { chromium } = require('playwright-core');
  let browser;
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // no history navigation on horizontal overscroll: scrolling an editor back to column 1 must not leave the page
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-features=OverscrollHistoryNavigation',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const consoleErrors = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await sleep(4000);

    // 0. the walkthrough opens a bundled sample (shipped in the .vsix) in its analysis, then compares two runs
    await walkthroughChecks(page).catch(async (e) => {
      check('the walkthrough steps ran to the end', false, String(e?.message ?? e).split('\n')[0]);
      await page.screenshot({ path: join(SHOTS, '00-walkthrough-stopped.png') }).catch(() => {});
    });
    await runCommand(page, 'View: Close All Editor Groups');
    await sleep(1000);

    // 1. language by name/content
    await openFile(page, 'tcprr-cross-poll0.head.report.txt');
    await page.locator('.monaco-editor .view-line').first().waitFor({ timeout: 20_000 });
    await sleep(2500);
    const mode = (
      await page
        .locator('[id="status.editor.mode"]')
        .innerText()
        .catch(() => '')
    ).trim();
    check('language mode is kvm-trace ("KVM Trace")', mode === 'KVM Trace', `status bar says "${mode}"`);
    await page.screenshot({ path: join(SHOTS, '01-trace-editor-dark.png') });

    // 2. hovers (the first may say "analysing"; wait for the figures)
    const msrHover = await hoverToken(page, 'write_msr', '830', /like it|exits of reason/);
    check(
      'hover on a write_msr: 830 line explains it',
      /830|write_msr|ICR|IPI/i.test(msrHover),
      JSON.stringify(msrHover.slice(0, 300)),
    );
    check('hover says how many like it', /like it|exits of reason/.test(msrHover), '', { soft: true });
    await page.screenshot({ path: join(SHOTS, '02-hover-write-msr.png') });
    const idleHover = await hoverToken(page, 'state=1 cpu_id', 'cpu_idle', /like it/);
    check(
      'hover on a cpu_idle: state=1 line explains it',
      /cpu_idle|idle|halt/i.test(idleHover),
      JSON.stringify(idleHover.slice(0, 300)),
    );
    await page.screenshot({ path: join(SHOTS, '03-hover-cpu-idle.png') });
    await page.mouse.move(5, 500);
    const statusText = (
      await page
        .locator('.statusbar-item', { hasText: /exits|Trace Lens/ })
        .first()
        .innerText()
        .catch(() => '')
    ).trim();
    check('status bar item shows a figure for the trace', statusText.length > 0, JSON.stringify(statusText), {
      soft: true,
    });

    // 3. Analyze Active File → Analysis panel
    await runCommand(page, 'KVM Trace Lens: Analyze Active File');
    const panel = await findInFrames(page, '[data-testid="analysis-panel"] .header', 60_000);
    check('Analysis panel opens', panel !== null);
    if (panel) {
      check(
        'exits-by-reason chart canvas is there',
        (await panel.$('canvas[data-testid="chart-exits-by-reason"]')) !== null,
      );
      const recs = await panel.$$eval('[data-testid="recommendation"]', (els) =>
        els.map((e) => e.getAttribute('data-id')),
      );
      // This excerpt holds 55 round trips in 3 ms: below the halt-polling rule's minimum evidence, so the panel
      // must not advise it and must say why under "not recommended".
      const refused = await panel
        .$eval('[data-testid="facts-not-recommended"]', (e) => e.textContent ?? '')
        .catch(() => '');
      check(
        'halt polling is not advised from a 3 ms excerpt; the panel says there is not enough evidence',
        !recs.includes('halt-polling') && /halt-polling/.test(refused) && /not enough evidence/.test(refused),
        `recommendations: ${JSON.stringify(recs)}; not recommended: ${refused.slice(0, 200)}`,
      );
      await panel
        .locator('.chart-grid')
        .scrollIntoViewIfNeeded()
        .catch(() => {});
      await sleep(800);
      await page.screenshot({ path: join(SHOTS, '04c-analysis-charts-real.png') });
      // copy a setting: the extension puts it on the clipboard and says so in the status bar
      const copy = panel.locator('[data-testid="recommendation"][data-id="halt-polling"] [data-testid="copy-setting"]');
      if ((await copy.count()) > 0) {
        await copy.first().click();
        await sleep(800);
        const copied = await page.locator('.statusbar-item', { hasText: 'Copied' }).count();
        check('Copy puts the recommended setting on the clipboard', copied > 0, '', { soft: true });
      }
      // export CSV: VS Code's save dialog (the simple one in the browser) proposes a name in the workspace
      await panel.locator('vscode-button', { hasText: 'Export CSV' }).click();
      await page
        .locator('.quick-input-widget input')
        .waitFor({ state: 'visible', timeout: 10_000 })
        .catch(() => {});
      await sleep(800);
      await page.keyboard.press('Enter');
      await sleep(2000);
      const csvPath = join(workspace, 'tcprr-cross-poll0.head.report.analysis.csv');
      const csvLines = existsSync(csvPath) ? readFileSync(csvPath, 'utf8').trim().split('\n') : [];
      check(
        'Export CSV writes exits by reason next to the trace',
        csvLines[0]?.startsWith('reason,category,count'),
        `${csvLines.length} lines`,
        { soft: true },
      );
      const errors = await panel.$$eval('.banner.error', (els) => els.map((e) => e.textContent));
      if (errors.length) console.log(`      panel errors: ${JSON.stringify(errors)}`);
      // clicking a reason selects its example lines in the trace
      const hlt = panel.locator('table.data button.link', { hasText: /^hlt$/ });
      if ((await hlt.count()) > 0) {
        await hlt.first().click();
        await sleep(1500);
        const sel = (
          await page
            .locator('[id="status.editor.selection"]')
            .innerText()
            .catch(() => '')
        ).trim();
        check(
          'clicking the hlt reason selects its example lines in the trace',
          /selections|Ln \d+/.test(sel),
          JSON.stringify(sel),
        );
        await page.screenshot({ path: join(SHOTS, '04b-reveal-hlt-lines.png') });
      } else check('the hlt reason is listed in the panel', false, '', { soft: true });
      await pictureChecks(page, panel, { check, shots: SHOTS, repo: REPO, trace: TRACE }).catch((e) =>
        check('picture checks ran to the end', false, String(e?.message ?? e).split('\n')[0]),
      );
    }
    await sleep(1500);
    await page.screenshot({ path: join(SHOTS, '04-analysis-panel-dark.png') });

    // 4. trace.dat opens in the custom editor
    if (existsSync(DAT)) {
      await openFile(page, 'tcprr-cross-poll0.dat');
      const dat = await findInFrames(
        page,
        '[data-testid="analysis-panel"][aria-busy="false"] .header, [data-testid="analysis-panel"] .banner.error',
        90_000,
        '.dat',
      );
      check('trace.dat opens in the KVM Trace Lens editor and shows its analysis or a readable error', dat !== null);
      if (dat) {
        const title = await dat.$eval('[data-testid="analysis-panel"]', (e) => e.textContent?.slice(0, 200) ?? '');
        console.log(`      trace.dat panel: ${JSON.stringify(title)}`);
      }
      await sleep(1500);
      await page.screenshot({ path: join(SHOTS, '05-trace-dat-editor.png') });
      const ctx = { report: RECORDING, check, findInFrames, shots: SHOTS };
      await eventListChecks(page, ctx).catch((e) => check('event list checks ran to the end', false, e.message));
    }

    // 5. saved analyses (hand-made fixtures): the full panel with charts and cards
    await runCommand(page, 'View: Close All Editor Groups');
    await sleep(1000);
    for (const [name, shot] of [
      ['example-poll-on.analysis.json', null],
      ['example-poll-off.analysis.json', '06-analysis-panel-full-dark.png'],
    ]) {
      await openFile(page, name);
      await sleep(1500);
      await runCommand(page, 'KVM Trace Lens: Analyze Active File');
      await sleep(3000);
      if (shot) {
        const full = await findInFrames(page, '[data-testid="recommendation"][data-id="halt-polling"]', 20_000);
        check('a saved analysis (JSON) opens in the panel with its recommendation cards', full !== null);
        await page.screenshot({ path: join(SHOTS, shot) });
        if (full) {
          await full
            .locator('canvas[data-testid="chart-exits-by-reason"]')
            .scrollIntoViewIfNeeded()
            .catch(() => {});
          await sleep(800);
          await page.screenshot({ path: join(SHOTS, '06b-analysis-charts-dark.png') });
          // click the first reason: the extension opens the trace at its example lines (here: a path that is gone)
          await full
            .locator('table.data button.link')
            .first()
            .click()
            .catch(() => {});
          await sleep(1500);
          const warned = await page.locator('.notifications-toasts', { hasText: 'no longer there' }).count();
          check('clicking a reason asks the extension to reveal its lines', warned > 0, '', { soft: true });
          await page.keyboard.press('Escape');
        }
      }
    }

    // 6. Compare runs: pick the two analysed runs
    await runCommand(page, 'View: Close All Editor Groups');
    await sleep(1000);
    await runCommand(page, 'KVM Trace Lens: Compare Runs');
    await sleep(1500);
    const boxes = page.locator('.quick-input-list .monaco-list-row');
    const n = await boxes.count();
    if (n >= 3) {
      // newest first: poll off, poll on
      await boxes.nth(0).click();
      await boxes.nth(1).click();
      await page.keyboard.press('Enter');
      const cmp = await findInFrames(page, '[data-testid="compare-panel"] .header', 30_000);
      check('Compare panel opens with two runs', cmp !== null);
      if (cmp)
        await comparePictureChecks(page, cmp, { check, shots: SHOTS }).catch((e) =>
          check('compare picture checks ran', false, String(e), { soft: true }),
        );
      await sleep(1000);
      await page.screenshot({ path: join(SHOTS, '07-compare-panel-dark.png') });
      // after a reload the serializer brings the panel back from its saved state
      await runCommand(page, 'Developer: Reload Window');
      await sleep(3000);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      const restored = await findInFrames(page, '[data-testid="compare-panel"] .header', 30_000);
      check('the Compare panel is restored after a window reload', restored !== null);
    } else {
      check('Compare Runs offers the analysed runs', false, `${n} quick pick rows`, { soft: true });
      await page.keyboard.press('Escape');
    }

    // 7. an untitled document gets its language from its content once a trace is pasted in
    await runCommand(page, 'View: Close All Editor Groups');
    await runCommand(page, 'File: New Untitled Text File');
    await sleep(1500);
    await page
      .locator('.monaco-editor .view-lines')
      .first()
      .click()
      .catch(() => {});
    await sleep(300);
    await page.keyboard.insertText(readFileSync(TRACE, 'utf8').split('\n').slice(0, 30).join('\n'));
    await sleep(2500);
    const untitledMode = (
      await page
        .locator('[id="status.editor.mode"]')
        .innerText()
        .catch(() => '')
    ).trim();
    check(
      'pasted trace text in an untitled editor becomes kvm-trace',
      untitledMode === 'KVM Trace',
      `status bar says "${untitledMode}"`,
    );
    await page.screenshot({ path: join(SHOTS, '07b-untitled-sniffed.png') });
    await runCommand(page, 'View: Revert and Close Editor');
    await sleep(1000);

    await scaleAndHostileChecks(page, workspace).catch(async (e) => {
      check('scale and hostile-text checks ran to the end', false, String(e?.message ?? e).split('\n')[0]);
      await page.screenshot({ path: join(SHOTS, '18-scale-checks-stopped.png') }).catch(() => {});
    });

    // 8. light theme: the panels follow the theme
    await toggleLightDark(page);
    const bodyClass = await page.evaluate(
      () => document.body.className + ' ' + document.querySelector('.monaco-workbench')?.className,
    );
    check('the workbench switched to a light theme', /(^|\s)vs(\s|$)/.test(bodyClass), bodyClass.slice(0, 120), {
      soft: true,
    });
    await page.screenshot({ path: join(SHOTS, '08-compare-panel-light.png') });
    await runCommand(page, 'View: Close All Editor Groups');
    await sleep(1000);
    await openFile(page, 'example-poll-off.analysis.json');
    await sleep(1000);
    await runCommand(page, 'KVM Trace Lens: Analyze Active File');
    await sleep(4000);
    await page.screenshot({ path: join(SHOTS, '09-analysis-panel-light.png') });
    const lightPanel = await findInFrames(page, '[data-testid="analysis-panel"] .header', 5_000);
    if (lightPanel) {
      // the lower half: charts and tables
      await lightPanel
        .locator('canvas[data-testid="chart-exits-by-reason"]')
        .scrollIntoViewIfNeeded()
        .catch(() => {});
      await sleep(800);
      await page.screenshot({ path: join(SHOTS, '10-analysis-charts-light.png') });
      await lightPanel
        .locator('.chart-grid')
        .scrollIntoViewIfNeeded()
        .catch(() => {});
      await sleep(800);
      await page.screenshot({ path: join(SHOTS, '11-analysis-more-charts-light.png') });
      await lightPictureChecks(page, lightPanel, { check, shots: SHOTS }).catch(() => {});
    }
    await runCommand(page, 'View: Close All Editor Groups');
    await openFile(page, 'tcprr-cross-poll0.head.report.txt');
    await sleep(2000);
    await page.screenshot({ path: join(SHOTS, '12-trace-editor-light.png') });

    const cspErrors = consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e));
    check(
      'no Content-Security-Policy violations in the console',
      cspErrors.length === 0,
      cspErrors.slice(0, 3).join(' | '),
      { soft: true },
    );
  } finally {
    await browser?.close().catch(() => {});
    server.kill('SIGTERM');
    writeFileSync(join(SHOTS, '..', 'code-server.log'), serverLog.join(''));
  }
}

/** Clicks a walkthrough button (a command link on its own line in a step's description) by its text. */
async function clickWalkthroughButton(page, text) {
  const button = page.locator('.gettingStartedContainer .monaco-button, .gettingStartedContainer a', { hasText: text });
  await button.first().waitFor({ state: 'visible', timeout: 15_000 });
  await button.first().click();
}

/** The walkthrough: Open Sample shows the sample's analysis, then the run with polling on and the comparison. */
async function walkthroughChecks(page) {
  await runCommand(page, 'Welcome: Open Walkthrough...');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill('KVM Trace Lens');
  await sleep(1000);
  await page.keyboard.press('Enter');
  const title = page.locator('.gettingStartedContainer', { hasText: 'Find out why a VM is slow with KVM Trace Lens' });
  const opened = await title
    .first()
    .waitFor({ state: 'visible', timeout: 20_000 })
    .then(
      () => true,
      () => false,
    );
  check('the walkthrough "Find out why a VM is slow with KVM Trace Lens" opens', opened);
  await sleep(2000); // the step's markdown media renders in a webview of its own
  await page.screenshot({ path: join(SHOTS, '00-walkthrough.png') });
  if (!opened) return;

  await clickWalkthroughButton(page, 'Open Sample');
  const ready = '[data-testid="analysis-panel"][aria-busy="false"] .header';
  const analysis = await findInFrames(page, ready, 90_000, 'tcprr-cross-poll0');
  check('Open Sample (walkthrough) shows the analysis panel of the bundled sample', analysis !== null);
  if (analysis) {
    const recs = await analysis.$$eval('[data-testid="recommendation"]', (els) =>
      els.map((e) => e.getAttribute('data-id')),
    );
    check("the sample's analysis recommends halt polling", recs.includes('halt-polling'), JSON.stringify(recs), {
      soft: true,
    });
  }
  await sleep(1500);
  await page.screenshot({ path: join(SHOTS, '00b-walkthrough-open-sample.png') });

  // back to the walkthrough: the step is done; the comparison step opens the second run, then Compare Runs
  await runCommand(page, 'Welcome: Open Walkthrough...');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill('KVM Trace Lens');
  await sleep(1000);
  await page.keyboard.press('Enter');
  await sleep(1500);
  // VS Code marks a done step on its button: aria-checked="true" (and a pass-filled icon)
  const done = await page
    .locator('.getting-started-step[aria-checked="true"]', { hasText: 'Open a sample run' })
    .count();
  check('the walkthrough marks "Open a sample run" done', done > 0, '', { soft: true });
  await page.locator('.getting-started-step', { hasText: 'Compare halt polling off and on' }).first().click();
  await sleep(800);
  await clickWalkthroughButton(page, 'Open the Run with Polling On');
  const second = await findInFrames(page, ready, 90_000, 'tcprr-cross-poll200000');
  check('the walkthrough opens the run with polling on in its analysis', second !== null, '', { soft: true });
  await runCommand(page, 'KVM Trace Lens: Compare Runs');
  await sleep(1500);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  if ((await rows.count()) >= 3) {
    // the list is newest first (polling on); the run picked first is the baseline: polling off, then on
    const labels = await rows.allInnerTexts();
    const off = labels.findIndex((t) => /cross-poll0\b/.test(t));
    const on = labels.findIndex((t) => /cross-poll200000/.test(t));
    check('Compare Runs lists both sample runs', off >= 0 && on >= 0, JSON.stringify(labels), { soft: true });
    await rows.nth(off >= 0 ? off : 1).click({ timeout: 10_000 });
    await rows.nth(on >= 0 ? on : 0).click({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    const compare = await findInFrames(page, '[data-testid="compare-panel"] .header', 30_000);
    check("the walkthrough's two sample runs open in the Compare panel", compare !== null, '', { soft: true });
    const heads = compare ? await compare.$$eval('th', (ths) => ths.map((t) => t.textContent ?? '')) : [];
    const baseline = heads.find((h) => h.includes('(baseline)')) ?? '';
    check('the run picked first (polling off) is the baseline', /poll0\b/.test(baseline), baseline, { soft: true });
    await sleep(1000);
    await page.screenshot({ path: join(SHOTS, '00c-walkthrough-compare.png') });
  } else {
    check('Compare Runs offers the two sample runs', false, `${await rows.count()} quick pick rows`, { soft: true });
    await page.keyboard.press('Escape');
  }
}

const HOVER_DELAY_MS = 200; // editor.hover.delay in settings() below

/** Hostile trace text, partial results on a large file from disk with Cancel, and hover speed on a 40 MB document. */
async function scaleAndHostileChecks(page, workspace) {
  // made only now: large files in the workspace from the start slow down the first quick-open searches
  await makeGeneratedInputs(workspace);
  await sleep(2000);
  // ---- A. hostile text in the file name, task names, event name and payload, and exit reasons ----
  await runCommand(page, 'View: Close All Editor Groups');
  await sleep(1000);
  await openFile(page, 'pwned');
  await page.locator('.monaco-editor .view-line').first().waitFor({ timeout: 20_000 });
  await sleep(2000);
  await runCommand(page, 'KVM Trace Lens: Analyze Active File');
  const hostile = await waitPanelState(page, ['final'], 60_000);
  check('hostile trace: the Analysis panel shows its analysis', hostile !== null);
  if (hostile) {
    const f = hostile.frame;
    await f
      .locator('details.warnings summary')
      .click()
      .catch(() => {});
    await sleep(500);
    const probe = await f.evaluate(
      ({ img, tight, script }) => {
        const root = document.getElementById('root');
        const text = root?.innerText ?? '';
        return {
          imgs: document.querySelectorAll('img').length,
          scriptsInRoot: root?.querySelectorAll('script').length ?? -1,
          // the webview host's and our own scripts are there; none may come from trace text
          scripts: [...document.querySelectorAll('script')].filter((e) =>
            /pwned|document\.title/.test(`${e.getAttribute('src') ?? ''} ${e.textContent ?? ''}`),
          ).length,
          handlers: [...document.querySelectorAll('*')].filter((e) =>
            [...e.attributes].some((a) => /^on/i.test(a.name)),
          ).length,
          title: document.title,
          h1: root?.querySelector('h1')?.textContent ?? '',
          fileName: text.includes(`${img}.report.txt`),
          scriptReason: text.includes(script),
          tightReason: text.includes(tight),
          warningText: (root?.querySelector('details.warnings')?.textContent ?? '').includes(
            `10729.494820: ${script.slice(0, 20)}`,
          ),
        };
      },
      { img: IMG, tight: IMG_TIGHT, script: SCRIPT },
    );
    console.log(`      hostile panel probe: ${JSON.stringify(probe)}`);
    check(
      'hostile trace: no <img>, no <script> and no on* attribute created in the panel from trace text',
      probe.imgs === 0 && probe.scriptsInRoot === 0 && probe.scripts === 0 && probe.handlers === 0,
      JSON.stringify({ imgs: probe.imgs, scripts: probe.scripts, handlers: probe.handlers }),
    );
    check(
      'hostile trace: the file name is shown as text in the panel title',
      probe.h1.includes(HOSTILE_NAME),
      JSON.stringify(probe.h1),
    );
    check(
      'hostile trace: the <script>/<img> exit reasons are shown as text in the table',
      probe.scriptReason && probe.tightReason,
    );
    check('hostile trace: the skipped line is quoted as text in the reader warnings', probe.warningText);
    await sleep(500);
    await page.screenshot({ path: join(SHOTS, '13-hostile-panel-dark.png') });
  }
  // the hover on the kvm_exit line whose reason is a <script> element (line 21: scroll the editor back to the top)
  await page
    .locator('.monaco-editor .view-lines')
    .filter({ visible: true })
    .first()
    .click({ position: { x: 5, y: 5 } })
    .catch(() => {});
  await page.keyboard.press('Control+Home');
  await scrollEditorLeft(page);
  let exitHover = '';
  // find the rendered line by its text in the page (a locator with hasText did not match these lines)
  const exitBox = await page.evaluate(() => {
    for (const line of document.querySelectorAll('.monaco-editor .view-line')) {
      if (!(line.textContent ?? '').includes('kvm_exit') || !(line.textContent ?? '').includes('<script>')) continue;
      // the hover explains the line's key token: here the exit reason, the <script> text
      for (const span of line.querySelectorAll('span > span')) {
        if ((span.textContent ?? '').includes('script')) {
          const r = span.getBoundingClientRect();
          if (r.width > 0) return { x: r.x, y: r.y, width: r.width, height: r.height };
        }
      }
    }
    return null;
  });
  if (!exitBox)
    console.log(
      `      no rendered kvm_exit line: ${JSON.stringify(
        await page.$$eval('.monaco-editor .view-line', (ls) =>
          ls
            .map((l) => l.textContent)
            .filter((t) => /qemu/.test(t ?? ''))
            .slice(0, 2),
        ),
      )}`,
    );
  if (exitBox) exitHover = (await timedHover(page, exitBox, /VM exit/)).text;
  const hoverDom = await page.evaluate(() => {
    const h = document.querySelector('.monaco-hover-content');
    return h ? { imgs: h.querySelectorAll('img').length, scripts: h.querySelectorAll('script').length } : null;
  });
  check(
    'hostile trace: the hover shows the <script> exit reason as text, no element made of it',
    hoverDom !== null && hoverDom.imgs === 0 && hoverDom.scripts === 0 && exitHover.includes(SCRIPT),
    JSON.stringify(exitHover.slice(0, 200)),
  );
  await page.screenshot({ path: join(SHOTS, '13b-hostile-hover-dark.png') });
  const titles = [await page.title()];
  for (const fr of page.frames()) titles.push(await fr.evaluate(() => document.title).catch(() => ''));
  check(
    'hostile trace: no page or webview title was changed to "pwned"',
    titles.every((t) => t !== 'pwned'),
    JSON.stringify(titles.slice(0, 4)),
  );

  // ---- B. a large trace from disk: partial results while reading, then Cancel keeps them labelled partial ----
  await runCommand(page, 'View: Close All Editor Groups');
  await sleep(1000);
  await runCommand(page, 'KVM Trace Lens: Analyze Files from Disk…');
  await pickFileInSimpleDialog(page, join(workspace, HUGE_TEXT));
  const pickedAt = Date.now();
  const reading = await waitPanelState(page, ['reading'], 30_000);
  const firstFiguresMs = Date.now() - pickedAt;
  console.log(`      first partial figures and charts ${firstFiguresMs} ms after the file was picked (100 ms polling)`);
  check(
    'a large file from disk: the first figures and charts show within 1 s',
    reading !== null && firstFiguresMs < 1000,
    `${firstFiguresMs} ms`,
    { soft: true },
  );
  const exitsFigure = (f) =>
    f
      .$$eval('.figure', (els) => els.map((e) => e.textContent ?? '').find((t) => /VM exits/.test(t)) ?? '')
      .catch(() => '');
  check('a ~620 MB trace from disk: the panel shows partial results ("Reading… N %") while reading', reading !== null);
  if (reading) {
    const banner1 = await reading.frame.$eval('[data-testid="partial-banner"]', (e) => e.textContent).catch(() => '');
    const figure1 = await exitsFigure(reading.frame);
    await page.screenshot({ path: join(SHOTS, '14-partial-reading-dark.png') });
    // partial results come every 500 ms: the next one, before the read ends
    await sleep(600);
    const again = await waitPanelState(page, ['reading'], 2000);
    const banner2 = again
      ? await again.frame.$eval('[data-testid="partial-banner"]', (e) => e.textContent).catch(() => '')
      : '';
    const figure2 = again ? await exitsFigure(again.frame) : '';
    console.log(
      `      partial 1: ${JSON.stringify(banner1)} ${JSON.stringify(figure1)}; 0.6 s later: ` +
        `${JSON.stringify(banner2)} ${JSON.stringify(figure2)}`,
    );
    check('the reading banner gives the share read', /Reading… \d+\s?%/.test(banner1 ?? ''), JSON.stringify(banner1));
    check('the figures update while reading', figure1 !== '' && figure2 !== '' && figure1 !== figure2, '', {
      soft: true,
    });
    const cancel = page
      .locator('.notification-toast', { hasText: 'Analysing' })
      .locator('.monaco-button', { hasText: 'Cancel' });
    await cancel
      .first()
      .click({ timeout: 5000 })
      .catch((e) => console.log(`      cancel click: ${e.message.split('\n')[0]}`));
    const cancelled = await waitPanelState(page, ['partial', 'final'], 30_000);
    const banner3 = cancelled
      ? await cancelled.frame.$eval('[data-testid="partial-banner"]', (e) => e.textContent).catch(() => '')
      : '';
    console.log(
      `      after Cancel: state ${cancelled?.state}, ${JSON.stringify(banner3)}, ` +
        `${JSON.stringify(cancelled ? await exitsFigure(cancelled.frame) : '')}`,
    );
    check(
      'Cancel in the progress notification stops reading; the panel keeps the result, labelled partial',
      cancelled?.state === 'partial' && /Partial result/.test(banner3 ?? ''),
      `state ${cancelled?.state}`,
    );
    await sleep(800);
    await page.screenshot({ path: join(SHOTS, '15-partial-cancelled-dark.png') });
  }

  // ---- C. a 40 MB trace in the editor: analysis with partials, then hover timings near the end of the file ----
  await runCommand(page, 'View: Close All Editor Groups');
  await sleep(1000);
  await openFile(page, BIG_TEXT);
  const opened = await page
    .locator('.monaco-editor .view-line')
    .filter({ visible: true })
    .first()
    .waitFor({ timeout: 60_000 })
    .then(
      () => true,
      () => false,
    );
  if (!opened) {
    await page.screenshot({ path: join(SHOTS, '16-big-document-not-opened.png') });
    const notes = await page
      .locator('.notifications-toasts, .editor-container')
      .allInnerTexts()
      .catch(() => []);
    check('the 40 MB trace opens in the editor', false, JSON.stringify(notes.join(' | ').slice(0, 300)));
    return;
  }
  const bigMode = (
    await page
      .locator('[id="status.editor.mode"]')
      .innerText()
      .catch(() => '')
  ).trim();
  check('the 40 MB trace opens in the editor as kvm-trace', bigMode === 'KVM Trace', `status bar says "${bigMode}"`);
  const t0 = Date.now();
  await runCommand(page, 'KVM Trace Lens: Analyze Active File');
  const seen = [];
  let final = null;
  while (Date.now() - t0 < 90_000) {
    const s = await waitPanelState(page, ['busy', 'reading', 'final'], 1000);
    if (s && seen[seen.length - 1] !== s.state) seen.push(s.state);
    if (s?.state === 'final') {
      final = s;
      break;
    }
  }
  console.log(
    `      40 MB document panel states: ${seen.join(' → ')} in ${Date.now() - t0} ms (including the command palette)`,
  );
  check('the 40 MB document: the panel ends with the final analysis', final !== null, seen.join(' → '));
  // A 40 MB document is analysed in about a second: partial results may not show before the final one (the 200 MB
  // file above checks them); say which it was.
  console.log(
    `      40 MB document: partial results ${seen.includes('reading') ? 'were' : 'were not'} shown before the ` +
      `final one`,
  );
  if (final) console.log(`      40 MB final: ${JSON.stringify(await exitsFigure(final.frame))}`);
  await sleep(800);
  await page.screenshot({ path: join(SHOTS, '16-big-document-panel-dark.png') });

  // the status bar shows the document's figures once its analysis (and line counts) are there
  const statusEnd = Date.now() + 60_000;
  while (Date.now() < statusEnd && (await page.locator('.statusbar-item', { hasText: /exits/ }).count()) === 0)
    await sleep(250);
  await sleep(1500); // the "N like it" counts are a second pass
  // go near the end of the document the way a user does: Go to Line (Ctrl+G), a line number, Enter
  await page
    .locator('.monaco-editor .view-lines')
    .filter({ visible: true })
    .first()
    .click({ position: { x: 5, y: 5 } });
  const totalLines = readFileSync(join(workspace, BIG_TEXT), 'latin1').split('\n').length - 1;
  await page.keyboard.press('Control+G');
  const goto = page.locator('.quick-input-widget input');
  await goto.waitFor({ state: 'visible', timeout: 5000 }).catch(() => {});
  await goto.fill(`:${totalLines - 20}`);
  await sleep(500);
  await page.keyboard.press('Enter');
  await sleep(1000);
  await scrollEditorLeft(page);
  const lastLine = (
    await page
      .locator('[id="status.editor.selection"]')
      .innerText()
      .catch(() => '')
  ).trim();
  const timings = [];
  const hoverTexts = [];
  // event names: the payloads are off the right edge of the narrow editor beside the panel
  for (const [lineText, token] of [
    ['write_msr', 'write_msr'],
    ['cpu_idle', 'cpu_idle'],
    ['sched_switch', 'sched_switch'],
    ['ipi_send_cpu', 'ipi_send_cpu'],
  ]) {
    // A file this large is not tokenized (editor.largeFileOptimizations): each line is one span, so the token's place
    // is computed from its character offset and the monospace character width.
    const box = await page.evaluate(
      ({ lineText, token }) => {
        // Monaco recycles line elements, so DOM order is not screen order: take the matching line nearest the
        // middle of the editor, well clear of the scrollbars
        const editor = [...document.querySelectorAll('.monaco-editor .view-lines')].find(
          (e) => e.getClientRects().length > 0,
        );
        const mid = editor ? editor.getBoundingClientRect().top + editor.getBoundingClientRect().height / 2 : 400;
        const lines = [...document.querySelectorAll('.monaco-editor .view-line')]
          .filter(
            (l) =>
              (l.textContent ?? '').includes(lineText) &&
              (l.textContent ?? '').includes(token) &&
              l.getClientRects().length > 0,
          )
          .sort(
            (a, b) => Math.abs(a.getBoundingClientRect().top - mid) - Math.abs(b.getBoundingClientRect().top - mid),
          );
        const line = lines[0];
        const span = line?.querySelector('span > span') ?? line?.querySelector('span');
        if (!line || !span || !span.textContent) return null;
        // the character width from one span (monospace), the token's offset from the whole line's text
        const charW = span.getBoundingClientRect().width / span.textContent.length;
        const r = line.getBoundingClientRect();
        const at = (line.textContent ?? '').indexOf(token);
        if (!(charW > 0) || at < 0) return null;
        return {
          x: r.x + at * charW,
          y: r.y,
          width: Math.max(charW, charW * Math.min(token.length, 3)),
          height: r.height,
        };
      },
      { lineText, token },
    );
    if (!box) continue;
    const r = await timedHover(page, box, /VM exit|event|idle|IPI|critical path|like it/i);
    timings.push(r.ms);
    hoverTexts.push(r.text);
  }
  await page.screenshot({ path: join(SHOTS, '17-hover-big-document-dark.png') });
  const measured = timings.filter((t) => t !== null);
  const fmt = measured.map((t) => `${Math.round(t)} ms`).join(', ');
  console.log(
    `      hovers near the end (${lastLine}) of the 40 MB document: ${fmt} from mouse move to content ` +
      `(editor.hover.delay ${HOVER_DELAY_MS} ms included)`,
  );
  console.log(`      hover texts: ${JSON.stringify(hoverTexts.map((t) => t.replace(/\s+/g, ' ').slice(0, 140)))}`);
  check(
    'hovers on the 40 MB document show the analysis figures',
    hoverTexts.some((t) => /like it|exits of reason|critical path/.test(t)),
    '',
    { soft: true },
  );
  check(
    `hovers on the 40 MB document appear within ${HOVER_DELAY_MS} ms hover delay + 50 ms`,
    measured.length >= 3 && measured.every((t) => t - HOVER_DELAY_MS < 50),
    fmt,
    { soft: true },
  );
  await page.mouse.move(5, 500);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
