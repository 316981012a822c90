// console.test.js: the operators' console in Debian's chromium, driven by
// playwright-core. Started by tests/integration/console.sh with the server
// running on a prepared store: CONSOLE_URL, CONSOLE_PW (every operator's
// password), CONSOLE_AREA (report area's billed,collected per row as
// "area,billed,collected;..."), CONSOLE_SHOTS (folder for screenshots).
// Prints TAP lines "ok N - ..." / "not ok N - ...".
'use strict';
const { chromium } = require('playwright-core');

const URL = process.env.CONSOLE_URL;
const PW = process.env.CONSOLE_PW;
const SHOTS = process.env.CONSOLE_SHOTS || '.';
let n = 0;
let failed = 0;
function check(name, cond, detail) {
  n += 1;
  if (cond) console.log(`ok ${n} - browser: ${name}`);
  else { failed += 1; console.log(`not ok ${n} - browser: ${name}: ${detail === undefined ? '' : detail}`); }
}
const cells = (page, sel) => page.$$eval(sel, (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));

async function login(page, user) {
  await page.goto(URL);
  await page.fill('#login input[name=user]', user);
  await page.fill('#login input[name=password]', PW);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#today-view:not([hidden])');
}

async function collector(page) {
  await login(page, 'li');
  const rows = await cells(page, '#worklist tr:not(:first-child)');
  check('collector sees only grid G-01', rows.length === 2 && rows.every((r) => r[3] === 'G-01'), JSON.stringify(rows));
  check('amounts shown exactly as the ledger has them', rows.some((r) => r[1] === 'C-1' && r[5] === '149.49' && r[6] === '0.75'),
    JSON.stringify(rows));
  check('Chinese by default', (await page.textContent('#nav [data-view=today]')) === '今日');
  await page.screenshot({ path: `${SHOTS}/today.png`, fullPage: true });

  // a role violation and a change without its CSRF token, from the page itself
  const probe = await page.evaluate(async () => {
    const area = await fetch('/api/report/area');
    const served = await fetch('/api/served', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ gateway: 'gw-a', customer: 'C-1', id: 1, proof: 'x' }) });
    return [area.status, served.status, (await served.json()).error];
  });
  check('role violation refused (403)', probe[0] === 403, probe);
  check('change without CSRF token refused (403)', probe[1] === 403 && /CSRF/.test(probe[2]), probe);
  const inline = await page.evaluate(() => new Promise((resolve) => {
    document.addEventListener('securitypolicyviolation', () => resolve(window.injected === undefined), { once: true });
    const s = document.createElement('script');
    s.textContent = 'window.injected = 1';
    document.body.appendChild(s);
    setTimeout(() => resolve('no violation event'), 2000);
  }));
  check('an injected inline script is blocked by the CSP', inline === true, inline);

  // mark the notice served with its proof
  await page.click('#awaiting tr:nth-child(2) button');
  await page.fill('#served input[name=proof]', '上门送达，签收单 17');
  await page.fill('#served input[name=at]', '2024-02-03T09:30');
  await page.screenshot({ path: `${SHOTS}/served-form.png`, fullPage: true });
  await page.click('#served button[type=submit]');
  await page.waitForFunction(() => /\d+$/.test(document.getElementById('msg').textContent));
  const msg = await page.textContent('#msg');
  check('marking served sends the signed command down', /已发送到集中器，序号 \d+/.test(msg), msg);

  // the collection record of C-2: the evidence of a served notice
  await page.click('#worklist tr:nth-child(2) button');
  await page.waitForSelector('#record-view:not([hidden])');
  const rec = await cells(page, '#record tr:not(:first-child)');
  const prompt = await page.textContent('#service');
  const stmt = await cells(page, '#statement tr:not(:first-child)');
  check('customer page: the grade\'s service standard as a prompt, the ledger with its balance, bills',
    /服务标准 \(C\)/.test(prompt) && stmt.some((r) => r[1] === '账单' && r[3] === '20.00' && r[4] === '20.00') &&
    (await cells(page, '#bills tr:not(:first-child)')).some((r) => r[0] === 'C-2/2024-01' && r[3] === '20.00'),
    `${prompt} ${JSON.stringify(stmt)}`);
  check('collection record shows the served notice and its proof',
    rec.length === 1 && rec[0][2] === 'disconnect_notice' && rec[0][6] === 'served' && rec[0][8] === 'visit, signed receipt',
    JSON.stringify(rec));
  // record a payment on the record page: the amount as typed, exactly
  await page.fill('#pay input[name=amount]', '20.00');
  await page.fill('#pay input[name=ref]', 'WEB-1');
  await page.fill('#pay input[name=date]', '2024-02-06');
  await page.click('#pay button[type=submit]');
  await page.waitForFunction(() => [...document.querySelectorAll('#payments tr')].some((tr) => tr.textContent.includes('WEB-1')));
  const pays = await cells(page, '#payments tr:not(:first-child)');
  check('a payment recorded on the page shows as sent, pending the gateway',
    pays.some((r) => r[1] === '20.00' && r[2] === 'WEB-1' && r[4] === 'pending'), JSON.stringify(pays));
  await page.click('#lang');
  await page.waitForFunction(() => document.querySelector('#record th').textContent === 'Record');
  check('English switch, tables included', (await page.textContent('#nav [data-view=today]')) === 'Today' &&
    (await page.textContent('#record th')) === 'Record');
  await page.screenshot({ path: `${SHOTS}/record.png`, fullPage: true });
  await page.click('#logout');
  await page.waitForSelector('#login-view:not([hidden])');
}

async function supervisor(page) {
  await login(page, 'wang');
  await page.click('#nav [data-view=overview]');
  await page.waitForSelector('#overview-view:not([hidden])');
  const area = await cells(page, '#area tr:not(:first-child)');
  const shown = area.map((r) => `${r[0]},${r[2]},${r[3]}`).join(';');
  check('overview: the same billed and collected as report area', shown === process.env.CONSOLE_AREA,
    `${shown} vs ${process.env.CONSOLE_AREA}`);
  // the charts (Apache ECharts, the console's own file): the billed and collected totals drawn
  // equal report area's, summed exactly in fen; the four charts drawn
  const series = await page.evaluate(() => {
    const c = window.echarts && window.echarts.getInstanceByDom(document.getElementById('chart-area'));
    return c ? c.getOption().series.map((s) => s.data) : null;
  });
  const fen = (v) => { const [i, f = ''] = String(v || '0').split('.'); return Number(i) * 100 + Number((f + '00').slice(0, 2)); };
  const want = process.env.CONSOLE_AREA.split(';').map((r) => r.split(','));
  const sum = (a) => a.reduce((x, v) => x + fen(v), 0);
  check('charts: the billed and collected totals drawn equal report area',
    series && sum(series[0]) === sum(want.map((r) => r[1])) && sum(series[1]) === sum(want.map((r) => r[2])) &&
    sum(series[0]) > 0, `${JSON.stringify(series)} vs ${process.env.CONSOLE_AREA}`);
  const drawn = await page.$$eval('.chart canvas', (cs) => cs.length);
  check('charts: four charts drawn, each with its table', drawn === 4 &&
    (await page.$$('#area tr, #aging-sum tr, #grade-dist tr')).length > 3, drawn);
  await page.screenshot({ path: `${SHOTS}/overview.png`, fullPage: true });
  await page.click('#nav [data-view=audit]');
  await page.waitForSelector('#audit-view:not([hidden])');
  const audit = await cells(page, '#auditlog tr:not(:first-child)');
  check('audit log shows the served notice with its proof',
    audit.some((r) => r[1] === 'li' && r[2] === 'served' && r[3].includes('签收单 17')), JSON.stringify(audit.slice(0, 3)));
  await page.screenshot({ path: `${SHOTS}/audit.png`, fullPage: true });
  await commandsPage(page);
}

async function reopen(page) {
  await page.goto(URL);
  await page.waitForSelector('#today-view:not([hidden])');
  await page.click('#nav [data-view=commands]');
  await page.waitForSelector('#commands-view:not([hidden])');
}

// the Commands page: a cut with the lawfulness check's verdict and a confirmation; a refused
// cut cannot be approved, a lawful one is approved and shows its state until the gateway answers.
async function commandsPage(page) {
  await page.click('#nav [data-view=commands]');
  await page.waitForSelector('#commands-view:not([hidden])');
  await page.fill('#cmd-new input[name=gateway]', 'gw-a');
  await page.fill('#cmd-new input[name=customer]', 'C-7');
  await page.selectOption('#cmd-new select[name=command]', 'disconnect');
  await page.fill('#cmd-new input[name=reason]', '欠费 300.00 元，通知已送达');
  await page.click('#cmd-new button[type=submit]');
  await page.waitForSelector('#cmd-check-box:not([hidden])');
  const rules = await cells(page, '#cmd-check tr:not(:first-child)');
  check('the request shows the lawfulness check: every rule passed with its reason',
    rules.length === 7 && rules.every((r) => r[1] === '✔' && r[2].length > 0), JSON.stringify(rules));
  await page.screenshot({ path: `${SHOTS}/commands-check.png`, fullPage: true });
  await page.click('#cmd-confirm');
  await page.waitForFunction(() => /\d+$/.test(document.getElementById('msg').textContent));
  const asked = await page.textContent('#msg');
  const lawfulId = Number(asked.replace(/.*?(\d+)$/, '$1'));
  // a refused cut requested (from the API, as a collector's request would be): C-2 owes 20.00
  const refusedId = await page.evaluate(async () => {
    const me = await (await fetch('/api/me')).json();
    const r = await fetch('/api/commands', { method: 'POST', headers: { 'Content-Type': 'application/json',
      'X-CSRF-Token': me.csrf }, body: JSON.stringify({ gateway: 'gw-a', customer: 'C-2', command: 'disconnect',
      reason: 'arrears' }) });
    return (await r.json()).id;
  });
  await reopen(page); // the page's CSRF token was used by the fetch above
  await page.waitForSelector(`#commands tr[data-id="${refusedId}"] button`);
  await page.click(`#commands tr[data-id="${refusedId}"] button`);
  await page.waitForSelector('#cmd-check-box:not([hidden])');
  const refused = await cells(page, '#cmd-check tr:not(:first-child)');
  const confirmShown = await page.isVisible('#cmd-confirm');
  check('a refused cut shows each failed rule and cannot be approved (no confirm button)',
    !confirmShown && refused.filter((r) => r[1] === '✘').length >= 2 &&
    refused.some((r) => r[0] === '欠费本金达到停电门槛' && r[1] === '✘' && r[2].includes('20.00')), JSON.stringify(refused));
  const forced = await page.evaluate(async (id) => {
    const me = await (await fetch('/api/me')).json();
    const r = await fetch('/api/commands/approve', { method: 'POST', headers: { 'Content-Type': 'application/json',
      'X-CSRF-Token': me.csrf }, body: JSON.stringify({ id }) });
    return r.status;
  }, refusedId);
  check('approving the refused cut anyway is refused by the server (409)', forced === 409, forced);
  await page.screenshot({ path: `${SHOTS}/commands-refused.png`, fullPage: true });
  await page.click('#cmd-cancel');
  await reopen(page);
  await page.waitForSelector(`#commands tr[data-id="${lawfulId}"] button`);
  await page.click(`#commands tr[data-id="${lawfulId}"] button`);
  await page.waitForSelector('#cmd-confirm:visible');
  await page.click('#cmd-confirm');
  await page.waitForSelector(`#commands tr[data-id="${lawfulId}"][data-state=sent]`);
  const row = await cells(page, `#commands tr[data-id="${lawfulId}"]`);
  check('the supervisor approves the lawful cut: sent, pending the gateway\'s acknowledgement',
    row[0][6] === '已发送' && row[0][9] === '等待集中器确认', JSON.stringify(row));
  await page.screenshot({ path: `${SHOTS}/commands.png`, fullPage: true });
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--ignore-certificate-errors'],
  });
  try {
    for (const fn of [collector, supervisor]) {
      const ctx = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'zh-CN' });
      const page = await ctx.newPage();
      page.setDefaultTimeout(15000);
      try { await fn(page); } catch (e) { check(`${fn.name} pages`, false, e.message.split('\n')[0]); }
      await ctx.close();
    }
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
})();
