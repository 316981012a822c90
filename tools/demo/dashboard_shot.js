// dashboard_shot.js URL PASSWORD PNG: logs in to the console as the demo's supervisor in Debian's
// chromium (playwright-core of tests/browser) and saves the dashboard with its charts as PNG.
'use strict';
const { chromium } = require('playwright-core');

(async () => {
  const [url, pw, png] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--ignore-certificate-errors'] });
  try {
    const ctx = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'zh-CN',
      viewport: { width: 1100, height: 1000 } });
    const page = await ctx.newPage();
    page.setDefaultTimeout(30000);
    await page.goto(url);
    await page.fill('#login input[name=user]', 'supervisor');
    await page.fill('#login input[name=password]', pw);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#today-view:not([hidden])');
    await page.click('#nav [data-view=overview]');
    await page.waitForSelector('#chart-aging canvas');
    await page.screenshot({ path: png });
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(`dashboard_shot: ${e.message.split('\n')[0]}`); process.exit(1); });
