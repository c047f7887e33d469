// The pictures in the real Analysis panel (issue 16): each present (the outside contract's markers), painted (an SVG
// with marks in the theme's colours; screenshots to look at), and showing the numbers of the analysis JSON that the CLI
// prints for the same trace. Hovering an exit names it; clicking one reveals its line in the trace.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The analysis JSON of `trace` as the packed CLI prints it. */
function analysisJson(repo, trace) {
  const r = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'analyze', trace, '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(r.stdout);
}

/** "#f14c4c" → "rgb(241, 76, 76)", as getComputedStyle gives a fill. */
const rgbOf = (hex) => {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(hex);
  return m
    ? `rgb(${m
        .slice(1, 4)
        .map((h) => parseInt(h, 16))
        .join(', ')})`
    : hex;
};
const critical = (sketch) => sketch.exits.filter((e) => e.critical === true).length;
const sum = (xs) => xs.reduce((n, x) => n + x, 0);

/** What one figure shows, read from the DOM: marks, bar counts, lines, the poll window, and whether it is painted. */
async function figureFacts(frame, selector) {
  return frame.$eval(selector, (fig) => {
    const svg = fig.querySelector('svg');
    const box = svg?.getBoundingClientRect();
    const criticalMark = fig.querySelector('g.ktl-exit[data-critical="true"] > .mark-critical');
    return {
      width: box?.width ?? 0,
      height: box?.height ?? 0,
      marks: svg ? svg.querySelectorAll('rect, path, circle, polyline, line').length : 0,
      exits: fig.querySelectorAll('g.ktl-exit').length,
      critical: fig.querySelectorAll('g.ktl-exit[data-critical="true"]').length,
      bars: [...fig.querySelectorAll('rect.ktl-bar')].map((r) => Number(r.getAttribute('data-count'))),
      lines: fig.querySelectorAll('polyline.ktl-line').length,
      windowNs: Number(fig.querySelector('.ktl-window')?.getAttribute('data-window-ns') ?? NaN),
      criticalFill: criticalMark ? window.getComputedStyle(criticalMark).fill : null,
      themeRed: window.getComputedStyle(window.document.documentElement).getPropertyValue('--vscode-charts-red').trim(),
      table: fig.querySelectorAll('table tbody tr').length,
    };
  });
}

/** `panel`: the frame of the Analysis panel of `trace`, already open. */
export async function pictureChecks(page, panel, { check, shots, repo, trace }) {
  const a = analysisJson(repo, trace);
  const sketches = a.transactionSketches;
  check('the analysis JSON has a drawn transaction (transactionSketches.median)', !!sketches?.median);
  if (!sketches?.median) return;

  const visible = '.ktl-drawn:not([hidden]) [data-testid="transaction-timeline"]';
  const timeline = await panel.waitForSelector(visible, { timeout: 20_000 }).catch(() => null);
  check('transaction-timeline is in the Analysis panel', timeline !== null);
  if (!timeline) return;
  // the section from its heading: the picker, the lanes and the breakdown under them
  await timeline.evaluate((e) => e.closest('section')?.scrollIntoView());
  await sleep(600);
  await page.screenshot({ path: join(shots, 'p1-transaction-timeline-dark.png') });
  const t = await figureFacts(panel, visible);
  check(
    'the drawn transaction is painted (an SVG with lanes and exit marks)',
    t.width > 200 && t.height > 50 && t.marks > 5 && t.exits > 0,
    JSON.stringify({ w: t.width, h: t.height, marks: t.marks }),
  );
  check(
    'its marks are the median sketch’s: exits and critical exits as in the JSON',
    t.exits === sketches.median.exits.length && t.critical === critical(sketches.median),
    `panel ${t.exits} / ${t.critical} critical, JSON ${sketches.median.exits.length} / ${critical(sketches.median)}`,
  );
  check(
    'critical marks take the theme’s red',
    t.critical === 0 || t.criticalFill === rgbOf(t.themeRed),
    `fill ${t.criticalFill}, --vscode-charts-red ${t.themeRed}`,
    { soft: true },
  );
  check('the transaction has its numbers as a table', t.table >= sketches.median.exits.length);

  // hovering an exit names it (its SVG <title>, the tooltip a pointer shows)
  const mark = panel.locator(`${visible} g.ktl-exit`).first();
  await mark.hover().catch(() => {});
  const title =
    (await mark
      .locator('title')
      .textContent()
      .catch(() => '')) ?? '';
  const first = sketches.median.exits[0];
  check(
    'hovering an exit names it',
    title.includes(first.reason) || /critical|not attributed/.test(title),
    JSON.stringify(title),
  );

  // the picker shows the p99 transaction
  const picker = panel.locator('[data-testid="transaction-picker"]');
  if (sketches.p99 && sketches.p99.index !== sketches.median.index && (await picker.count()) > 0) {
    await picker.selectOption({ label: 'p99' });
    await sleep(400);
    const p99 = await figureFacts(panel, visible);
    check(
      'the picker draws the p99 transaction with its exits',
      p99.exits === sketches.p99.exits.length && p99.critical === critical(sketches.p99),
      `panel ${p99.exits}/${p99.critical}, JSON ${sketches.p99.exits.length}/${critical(sketches.p99)}`,
    );
    await page.screenshot({ path: join(shots, 'p2-transaction-p99-dark.png') });
    await picker.selectOption({ label: 'median' });
    await sleep(300);
  }

  // clicking an exit reveals its line in the trace
  const withLine = panel.locator(`${visible} g.ktl-exit[data-line]`).first();
  if ((await withLine.count()) > 0) {
    const line = await withLine.getAttribute('data-line');
    await withLine.click({ force: true });
    await sleep(1500);
    const sel = (
      await page
        .locator('[id="status.editor.selection"]')
        .innerText()
        .catch(() => '')
    ).trim();
    check(
      'clicking an exit reveals its line in the trace',
      sel.includes(`Ln ${line}`),
      `line ${line}, status "${sel}"`,
    );
    await page.screenshot({ path: join(shots, 'p3-exit-revealed.png') });
    await page.keyboard.press('Control+Shift+P').catch(() => {});
    await page.keyboard.press('Escape');
  }

  // the distributions: wake-up and halt histograms, exit durations, exits per second per vCPU
  const wake = await panel.$('[data-testid="wakeup-histogram"]');
  check('wakeup-histogram is in the Analysis panel', wake !== null);
  if (wake) {
    await wake.scrollIntoViewIfNeeded();
    await sleep(500);
    await page.screenshot({ path: join(shots, 'p4-distributions-dark.png') });
    const w = await figureFacts(panel, '[data-testid="wakeup-histogram"]');
    check(
      'the wake-up histogram is painted and counts transactions.wakeupCount',
      w.width > 200 && w.bars.length > 0 && sum(w.bars) === a.transactions.wakeupCount,
      `bars sum ${sum(w.bars)}, JSON ${a.transactions?.wakeupCount}`,
    );
    const rec = a.recommendations.map((r) => /halt_poll_ns=(\d+)/.exec(r.setting ?? '')).find(Boolean);
    if (rec)
      check('the recommended poll window is drawn on it', w.windowNs === Number(rec[1]), `${w.windowNs} vs ${rec[1]}`);
  }
  if (a.exits?.haltHistogram) {
    const h = await figureFacts(panel, '[data-testid="halt-histogram"]').catch(() => null);
    check(
      'the halt-duration histogram counts exits.haltHistogram',
      h !== null && sum(h.bars) === sum(a.exits.haltHistogram.map((b) => b.count)),
      `${h && sum(h.bars)}`,
    );
  }
  if (a.exits?.timelineByVcpu) {
    const r = await figureFacts(panel, '[data-testid="exit-rate"]').catch(() => null);
    const want = Object.keys(a.exits.timelineByVcpu.counts).length;
    check('exits per second: one line per vCPU', r !== null && r.lines === want, `${r?.lines} lines, ${want} vCPUs`);
    const rate = await panel.$('[data-testid="exit-rate"]');
    await rate?.scrollIntoViewIfNeeded();
    await sleep(400);
    await page.screenshot({ path: join(shots, 'p5-exit-durations-rate-dark.png') });
  }
  check('exit durations per reason are drawn', (await panel.$('[data-testid="exit-durations"] svg')) !== null, '', {
    soft: true,
  });
}

/** The Compare panel of two saved analyses: exits per transaction side by side (when both have transactions). */
export async function comparePictureChecks(page, frame, { check, shots }) {
  const bars = await frame.$('[data-testid="compare-exits-per-transaction"]');
  check('Compare: exits per transaction per reason side by side', bars !== null, '', { soft: true });
  if (!bars) return;
  await bars.scrollIntoViewIfNeeded();
  await sleep(400);
  const runs = await frame.$$eval(
    '[data-testid="compare-exits-per-transaction"] rect.ktl-gbar',
    (rs) => new Set(rs.map((r) => r.getAttribute('data-run'))).size,
  );
  check('Compare: a bar per run', runs === 2, `${runs} runs`, { soft: true });
  await page.screenshot({ path: join(shots, 'p6-compare-pictures-dark.png') });
}

/** In the light theme: the distributions of a saved analysis, painted in the theme's colours (a screenshot). */
export async function lightPictureChecks(page, frame, { check, shots }) {
  const wake = await frame.$('[data-testid="wakeup-histogram"]');
  check('light theme: the wake-up histogram is drawn', wake !== null, '', { soft: true });
  if (!wake) return;
  await wake.evaluate((e) => e.closest('section')?.scrollIntoView());
  await sleep(500);
  const fill = await frame.$eval(
    '[data-testid="wakeup-histogram"] rect.ktl-bar',
    (r) => window.getComputedStyle(r).fill,
  );
  const blue = await frame.evaluate(() =>
    window.getComputedStyle(window.document.documentElement).getPropertyValue('--vscode-charts-blue').trim(),
  );
  check('light theme: histogram bars take the theme’s blue', fill === rgbOf(blue), `${fill} vs ${blue}`, {
    soft: true,
  });
  await page.screenshot({ path: join(shots, 'p7-distributions-light.png') });
}
