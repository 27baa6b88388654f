// The web app in a real browser (Debian's Chromium, driven by playwright-core), as a demo
// athlete who has never seen it: signs in, looks at home, opens a ride and its charts, uploads
// files, plans a session next week, reads their sleep, writes to their coach, opens settings;
// then a session's page by its link, logged out. Every page: no console error, no request to
// another host, nothing wider than a 390 px phone, and a screenshot at 1280 and 390 px.
//
// Then axe-core checks every page visited against WCAG 2 A and AA (contrast, labels, names,
// structure), in a context of its own that lets its script in past the pages' CSP.
//
// Environment: PACELINE_URL, EMAIL, PASSWORD, UPLOAD_FILE (an activity file), SESSION_LINK
// (a session's path with its direct_access_token), SCREENSHOTS (a folder), CHROMIUM. Exits 0
// when every check held.

import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const env = process.env;
const base = new URL(env.PACELINE_URL);
const check = (condition, message) => {
  if (!condition) throw new Error(message);
};
mkdirSync(env.SCREENSHOTS, { recursive: true });

const browser = await chromium.launch({
  executablePath: env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/// A page that fails the walk on a console error, a script error or a request elsewhere.
const watched = async (context) => {
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error on ${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`script error on ${page.url()}: ${e.message}`));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol !== 'data:' && url.host !== base.host) problems.push(`request to another host: ${r.url()}`);
  });
  return page;
};
const problems = [];
const visited = [];
let shots = 0;

try {
  const wide = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await watched(wide);
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const small = await watched(phone);

  // Looks at the page open in the wide window, then the same address on the phone.
  const look = async (name) => {
    visited.push(page.url());
    await page.screenshot({ path: join(env.SCREENSHOTS, `${name}-1280.png`), fullPage: true });
    await phone.addCookies(await wide.cookies());
    await small.goto(page.url());
    const overflow = await small.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    check(overflow <= 0, `${name} overflows a 390 px screen by ${overflow} px`);
    await small.screenshot({ path: join(env.SCREENSHOTS, `${name}-390.png`), fullPage: true });
    shots += 2;
  };
  const heading = async () => (await page.locator('h1').first().innerText()).trim();

  // Signing in lands on home.
  await page.goto(`${env.PACELINE_URL}/`);
  check(await heading() === 'Sign in', 'signed out, the app asks to sign in');
  await page.fill('#email', env.EMAIL);
  await page.fill('#password', env.PASSWORD);
  await Promise.all([page.waitForURL(`${env.PACELINE_URL}/`), page.click('button[type=submit]')]);
  check((await heading()).startsWith('Hello, '), `home greets: ${await heading()}`);
  check(await page.locator('svg.bars rect').count() > 5, 'the weeks as bars');
  check(await page.locator('.trends svg.line').count() >= 2, 'weight, sleep and resting heart rate trends');
  check(await page.locator('.upcoming li').count() > 0, 'what comes next');
  await look('home');

  // A ride: its charts, laps and route.
  await page.goto(`${env.PACELINE_URL}/activities?sport=RIDE`);
  check(await page.locator('.activity-list li').count() > 0, 'the rides are listed');
  await look('activities');
  await page.locator('.activity-list a').first().click();
  await page.waitForSelector('svg.line.hr');
  const points = Number(await page.locator('svg.line.hr').getAttribute('data-points'));
  check(points > 1000, `the heart rate chart carries the ride's records (${points})`);
  check(await page.locator('svg.line.power').count() === 1, 'a power chart');
  check(await page.locator('table.laps tbody tr').count() > 0, 'the lap rows');
  check(await page.locator('.route path.track').count() === 1, 'the route');
  check(await page.locator('.zone-table').count() > 0, 'time in zones');
  // Pointing at a chart reads its value out.
  const chart = page.locator('svg.line.hr');
  const box = await chart.boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.4);
  const readout = await page.locator('#chart-hr .readout').innerText();
  check(/bpm/.test(readout), `the read-out shows the value under the pointer: "${readout}"`);
  await look('activity');

  // Uploading: a new file, the same again, and something that is no activity.
  await page.goto(`${env.PACELINE_URL}/upload`);
  const recorded = readFileSync(env.UPLOAD_FILE);
  await page.setInputFiles('#files', [
    { name: basename(env.UPLOAD_FILE), mimeType: 'application/octet-stream', buffer: recorded },
    { name: 'again.fit', mimeType: 'application/octet-stream', buffer: recorded },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an activity') },
  ]);
  await Promise.all([page.waitForSelector('.outcomes'), page.click('.upload-form button[type=submit]')]);
  const outcomes = await page.locator('.outcomes h2').innerText();
  check(outcomes.includes('3 files: 1 added, 1 already there, 1 refused'), `upload outcomes: ${outcomes}`);
  check(await page.locator('.outcome.new a').count() === 1, 'the new activity is linked');
  await look('upload');

  // Planning a session next week from the calendar.
  await page.goto(`${env.PACELINE_URL}/calendar`);
  check(await page.locator('.day .session').count() > 0, "the coach's sessions are in the calendar");
  await look('calendar');
  await page.click('text=Plan a session');
  const nextWeek = new Date(Date.now() + 7 * 86400e3).toISOString().slice(0, 10);
  await page.fill('#date', nextWeek);
  await page.selectOption('#discipline_id', '8');
  await page.fill('#brief_description', 'Easy spin of the legs');
  await page.fill('#prescribed_minutes', '45');
  await look('session-form');
  await Promise.all([page.waitForURL(/\/session\/\d+\/$/), page.click('form.session-form button[type=submit]')]);
  check((await heading()).includes('Easy spin of the legs'), `the new session's page: ${await heading()}`);
  check((await page.locator('table.planned').innerText()).includes('45 min'), 'planned beside done');
  await look('session');
  await page.goto(`${env.PACELINE_URL}/calendar?week=${nextWeek}`);
  check((await page.locator('.calendar').innerText()).includes('Easy spin of the legs'), 'in next week');

  // Reading their sleep.
  await page.goto(`${env.PACELINE_URL}/health`);
  const sleep = await page.locator('#sleep .summary').first().innerText();
  check(/^Sleep: \d+\.\d h on /.test(sleep), `the sleep trend in words: ${sleep}`);
  await look('health');

  // Writing to the coach.
  await page.goto(`${env.PACELINE_URL}/messages`);
  await page.fill('#content', 'See you on Saturday!');
  await Promise.all([page.waitForURL(/\/messages\?with=/), page.click('form.write button[type=submit]')]);
  check((await page.locator('.thread').innerText()).includes('See you on Saturday!'), 'the message is sent');
  await look('messages');

  await page.goto(`${env.PACELINE_URL}/settings`);
  check(await page.locator('.zones-table').count() > 0, 'the zones');
  await look('settings');

  // A session's link, logged out: read-only, no navigation.
  const stranger = await watched(await browser.newContext({ viewport: { width: 390, height: 844 } }));
  await stranger.goto(`${env.PACELINE_URL}${env.SESSION_LINK}`);
  check(await stranger.locator('nav[aria-label=Main]').count() === 0, 'no navigation by the link');
  check(await stranger.locator('table.planned').count() === 1, 'the session by its link');
  await stranger.screenshot({ path: join(env.SCREENSHOTS, 'session-link-390.png'), fullPage: true });
  shots += 1;

  // Accessibility, by axe-core: no WCAG 2 A or AA violation on any page visited.
  const axe = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  const auditing = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  await auditing.addCookies(await wide.cookies());
  const auditor = await auditing.newPage();
  for (const url of visited) {
    await auditor.goto(url);
    await auditor.addScriptTag({ path: axe });
    const result = await auditor.evaluate(
      async () => await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }),
    );
    for (const v of result.violations) {
      const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ');
      problems.push(`accessibility on ${url}: ${v.id} (${v.impact}): ${v.help} at ${where}`);
    }
  }

  check(problems.length === 0, problems.join('\n'));
  console.log(`ok: webapp in Chromium (${visited.length} pages checked by axe-core, ${shots} screenshots in ${env.SCREENSHOTS})`);
} catch (e) {
  console.error(`FAILED: webapp in Chromium: ${e.stack ?? e}\n${problems.join('\n')}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
