// The web app for coaches and organizations in a real browser (Debian's Chromium, driven by
// playwright-core), with the athlete's own Xhale client beside it:
//
// - the athlete's client gets a token by the OAuth flow (oauth4webapi) and syncs;
// - the owner, who coaches, signs in to the roster, opens an athlete's pages, plans a session
//   and builds a structured workout for it in the browser; the client lists both and
//   downloads the workout's FIT (written to OUT_DIR for Garmin's SDK);
// - the coach drags the session to another day and the client's next sync with
//   updated_since_datetime returns exactly that change;
// - the owner invites an athlete, who accepts in a fresh browser context and appears in the
//   roster; the link used again, and an expired one, are refused with a clear page;
// - an unassigned coach, another company's owner and another athlete get 404 on every page
//   of the athlete; every form refuses a post without its CSRF token;
// - every page: no console error, no request to another host, nothing wider than a 390 px
//   phone, a screenshot at 1280 and 390 px, and no WCAG 2 A or AA violation (axe-core).
//
// Environment: PACELINE_URL, OWNER_EMAIL, OWNER_PASSWORD, ATHLETE_EMAIL, ATHLETE_PASSWORD,
// CLIENT_ID, REDIRECT_URI, OUTSIDERS (JSON: [{who, email, password}]), EXPIRED_INVITE (a
// path), OUT_DIR, SCREENSHOTS, CHROMIUM. Exits 0 when every check held.

import * as oauth from 'oauth4webapi';
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Browser } from './browser.mjs';

const env = process.env;
const base = new URL(env.PACELINE_URL);
const url = (path) => `${env.PACELINE_URL}${path}`;
const check = (condition, message) => {
  if (!condition) throw new Error(message);
};
mkdirSync(env.SCREENSHOTS, { recursive: true });
mkdirSync(env.OUT_DIR, { recursive: true });

/// The Monday of the week after this one, and its Wednesday and Thursday.
const monday = (() => {
  const now = new Date();
  const back = (now.getUTCDay() + 6) % 7;
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - back * 86400e3 + 7 * 86400e3;
})();
const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
const wednesday = iso(monday + 2 * 86400e3);
const thursday = iso(monday + 3 * 86400e3);
/// The server's clock as a sync point (same machine).
const stamp = () => new Date().toISOString().replace('Z', '000');
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// --- The athlete's own Xhale client: a token by the OAuth flow. ---
const client = { client_id: env.CLIENT_ID };
const insecure = { [oauth.allowInsecureRequests]: true };
const as = await oauth.processDiscoveryResponse(
  base,
  await oauth.discoveryRequest(base, { ...insecure, algorithm: 'oauth2' }),
);
const verifier = oauth.generateRandomCodeVerifier();
const state = oauth.generateRandomState();
const authorize = new URL(as.authorization_endpoint);
for (const [k, v] of Object.entries({
  client_id: client.client_id, redirect_uri: env.REDIRECT_URI, response_type: 'code', scope: 'read',
  state, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
})) authorize.searchParams.set(k, v);
const callback = await new Browser().authorize(authorize.href, env.ATHLETE_EMAIL, env.ATHLETE_PASSWORD);
const tokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(
  as, client, oauth.None(), oauth.validateAuthResponse(as, client, callback, state), env.REDIRECT_URI, verifier, insecure,
));
const api = async (path) => {
  const response = await fetch(url(path), { headers: { authorization: `Bearer ${tokens.access_token}` } });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response;
};
const sessionsSince = async (since) => (await api(
  `/api/sessions/?start_date=${iso(monday - 14 * 86400e3)}&end_date=${iso(monday + 28 * 86400e3)}${since ? `&updated_since_datetime=${since}` : ''}`,
)).json();

const launched = await chromium.launch({
  executablePath: env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems = [];
const visited = [];
let shots = 0;

/// A page that fails the walk on a console error, a script error or a request elsewhere.
const watched = async (context) => {
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('status of 404') && !m.text().includes('status of 410')) {
      problems.push(`console error on ${page.url()}: ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => problems.push(`script error on ${page.url()}: ${e.message}`));
  page.on('request', (r) => {
    const where = new URL(r.url());
    if (where.protocol !== 'data:' && where.host !== base.host) problems.push(`request to another host: ${r.url()}`);
  });
  return page;
};

/// Signs `email` in, in a new wide context and its phone twin.
const signIn = async (email, password) => {
  const wide = await launched.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await watched(wide);
  await page.goto(url('/login'));
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  return { wide, page };
};

try {
  const owner = await signIn(env.OWNER_EMAIL, env.OWNER_PASSWORD);
  const page = owner.page;
  const phone = await launched.newContext({ viewport: { width: 390, height: 844 } });
  const small = await watched(phone);
  const heading = async () => (await page.locator('h1').first().innerText()).trim();
  // Looks at the page open in the wide window, then the same address (or `again`, for a
  // page answering a form) on the phone.
  const look = async (name, again) => {
    const address = again ? url(again) : page.url();
    visited.push({ url: address, context: owner.wide });
    await page.screenshot({ path: join(env.SCREENSHOTS, `${name}-1280.png`), fullPage: true });
    await phone.addCookies(await owner.wide.cookies());
    await small.goto(address);
    const overflow = await small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, `${name} overflows a 390 px screen by ${overflow} px`);
    await small.screenshot({ path: join(env.SCREENSHOTS, `${name}-390.png`), fullPage: true });
    shots += 2;
  };

  // The roster: the owner who coaches lands on it.
  check(new URL(page.url()).pathname === '/athletes', `a coach lands on the roster, not ${page.url()}`);
  check(await page.locator('table.roster tbody tr').count() >= 2, 'both demo athletes');
  await look('roster');
  await page.click('table.roster thead >> text=Missed');
  check((await page.locator('th[aria-sort=descending]').innerText()).includes('Missed'), 'sorted by sessions missed');
  const athleteLink = page.locator('table.roster tbody th a').filter({ hasText: 'Alex Athlete' });
  const athleteBase = await athleteLink.getAttribute('href');
  await athleteLink.click();
  check(await heading() === 'Overview', "the athlete's overview");
  check(await page.locator('svg.bars rect').count() > 5, 'their weeks as bars');
  await look('athlete-overview');
  await page.click('nav.tabs >> text=Activities');
  await page.locator('.activity-list a').first().click();
  await page.waitForSelector('svg.line.hr');
  check(await page.locator('text=Delete this activity').count() === 0, 'read-only for the coach');
  await look('athlete-activity');
  await page.goto(url(`${athleteBase}/health`));
  await look('athlete-health');

  // Planning a session next Wednesday, as the coach.
  let since = stamp();
  await pause(20);
  await page.goto(url(`${athleteBase}/calendar?week=${wednesday}`));
  await look('athlete-calendar');
  await page.click(`a[aria-label^="Plan a session on"] >> nth=2`);
  await page.waitForSelector('#date');
  check(await page.inputValue('#date') === wednesday, 'the form opens on the day chosen');
  await page.selectOption('#discipline_id', '8');
  await page.fill('#brief_description', 'Threshold intervals');
  await page.fill('#prescribed_minutes', '70');
  await page.fill('#intensity', '4');
  await page.fill('#training_plan', 'Three blocks of eight minutes at threshold.');
  await page.fill('#coach_comments', 'Stay seated on the climbs.');
  await look('coach-session-form');
  await Promise.all([page.waitForURL(/calendar\?week=/), page.click('form.session-form button[type=submit]')]);
  const chip = page.locator(`.day[data-date="${wednesday}"] li.session`).filter({ hasText: 'Threshold intervals' });
  check(await chip.count() === 1, 'the session on Wednesday');
  let synced = await sessionsSince(since);
  check(synced.length === 1 && synced[0].date === wednesday, `the client sees the new session: ${JSON.stringify(synced)}`);
  const sessionId = synced[0].id;
  check(synced[0].coach_comments === 'Stay seated on the climbs.', 'with the coach comments');

  // A structured workout for it, built in the browser.
  await page.goto(url(`/session/${sessionId}/`));
  await look('coach-session');
  await page.click('text=Add a structured workout');
  await page.fill('#w-name', 'Threshold 3x8');
  await page.selectOption('#w-sport', 'cycling');
  await page.fill('#w-text', '15 min warm up @ 60-70% FTP\n3 x\n  8 min @ 95-100% FTP // seated\n  2 min recovery @ Z1 power\n10 min cool down @ 50% FTP');
  await page.fill('#w-description', 'Smooth and steady.');
  await Promise.all([page.waitForLoadState('load'), page.click('button[value=preview]')]);
  check(await page.locator('.workout-chart rect').count() === 8, 'the preview draws every step, repeats unrolled');
  await page.check('input[name=keep]');
  await look('builder', `${athleteBase}/workouts/new?session=${sessionId}`);
  await Promise.all([page.waitForURL(/\/session\/\d+\/$/), page.click('button[value=save]')]);
  check((await page.locator('ul.workouts').innerText()).includes('Threshold 3x8'), 'the workout on the session');
  const workouts = await (await api('/api/workouts/')).json();
  const workout = workouts.find((w) => w.name === 'Threshold 3x8');
  check(workout, `the client lists the workout: ${JSON.stringify(workouts).slice(0, 400)}`);
  check(workout.training_sessions.some((t) => t.id === sessionId && t.date === wednesday), `attached to the session: ${JSON.stringify(workout.training_sessions)}`);
  const fit = await api(`/api/sessions/${sessionId}/workouts/${workout.workout_id}.fit`);
  check(fit.headers.get('content-type') === 'application/vnd.ant.fit', 'a FIT file');
  writeFileSync(join(env.OUT_DIR, 'planned.fit'), Buffer.from(await fit.arrayBuffer()));

  // The coach drags the session to Thursday; the client's next sync has exactly that change.
  await page.goto(url(`${athleteBase}/calendar?week=${wednesday}`));
  since = stamp();
  await pause(20);
  const dragged = page.locator(`.day[data-date="${wednesday}"] li.session`).filter({ hasText: 'Threshold intervals' });
  await Promise.all([
    page.waitForNavigation(),
    dragged.dragTo(page.locator(`.day[data-date="${thursday}"]`)),
  ]);
  check(await page.locator(`.day[data-date="${thursday}"] li.session`).filter({ hasText: 'Threshold intervals' }).count() === 1, 'moved to Thursday');
  synced = await sessionsSince(since);
  check(synced.length === 1, `exactly one change: ${JSON.stringify(synced)}`);
  check(synced[0].id === sessionId && synced[0].date === thursday, `the move: ${JSON.stringify(synced[0])}`);
  await look('calendar-moved');

  // The library kept a copy.
  await page.goto(url('/library'));
  check((await page.locator('.library').innerText()).includes('Threshold 3x8'), 'the copy in the library');
  await look('library');

  // Messages with the athlete.
  await page.goto(url(`/messages`));
  await look('coach-messages');

  // The organization: an invitation, accepted in a fresh browser.
  await page.goto(url('/organization'));
  await look('organization');
  await page.fill('#invite-email', 'nova@example.com');
  await Promise.all([page.waitForLoadState('load'), page.click('text=Make an invitation link')]);
  const link = await page.inputValue('#invite-link');
  check(link.startsWith(`${env.PACELINE_URL}/invite/`), `an invitation link: ${link}`);
  await look('organization-invited');
  const fresh = await launched.newContext({ viewport: { width: 390, height: 844 } });
  const invited = await watched(fresh);
  const wideInvite = await watched(await launched.newContext({ viewport: { width: 1280, height: 900 } }));
  await wideInvite.goto(link);
  await wideInvite.screenshot({ path: join(env.SCREENSHOTS, 'invitation-1280.png'), fullPage: true });
  shots += 1;
  await invited.goto(link);
  check((await invited.locator('main').innerText()).includes('invites you to join'), 'the invitation page');
  check(await invited.inputValue('#email') === 'nova@example.com', 'the address filled in');
  await invited.screenshot({ path: join(env.SCREENSHOTS, 'invitation-390.png'), fullPage: true });
  shots += 1;
  visited.push({ url: link, context: null });
  await invited.fill('#name', 'Nova Newcomer');
  await invited.fill('#password', 'a password of her own');
  await Promise.all([invited.waitForURL(url('/')), invited.click('button[type=submit]')]);
  check((await invited.locator('h1').first().innerText()).startsWith('Hello, Nova'), 'signed in at once');
  await invited.screenshot({ path: join(env.SCREENSHOTS, 'invited-home-390.png'), fullPage: true });
  shots += 1;
  // Later, she signs in with the password she chose.
  await Promise.all([invited.waitForURL(/\/login/), invited.click('footer button:has-text("Sign out")')]);
  await invited.goto(url('/login'));
  await invited.fill('#email', 'nova@example.com');
  await invited.fill('#password', 'a password of her own');
  await Promise.all([invited.waitForURL(url('/')), invited.click('button[type=submit]')]);
  check((await invited.locator('h1').first().innerText()).startsWith('Hello, Nova'), 'she signs in again');
  // Used, and expired: refused with a page that says so.
  for (const [what, target] of [['used', link], ['expired', url(env.EXPIRED_INVITE)]]) {
    const other = await watched(await launched.newContext({ viewport: { width: 390, height: 844 } }));
    const response = await other.goto(target);
    check(response.status() === 410, `a ${what} invitation answers 410, not ${response.status()}`);
    check((await other.locator('h1').innerText()).includes('does not work any more'), `the ${what} link says so`);
    await other.screenshot({ path: join(env.SCREENSHOTS, `invitation-${what}-390.png`), fullPage: true });
    shots += 1;
  }
  await page.goto(url('/athletes'));
  check((await page.locator('table.roster').innerText()).includes('Nova Newcomer'), 'the new athlete on the roster');

  // Isolation: nobody else reaches the athlete's pages.
  const sessionPage = `/session/${sessionId}/`;
  const pages = ['', '/activities', '/calendar', `/calendar/sessions/${sessionId}`, '/calendar/sessions/new',
    '/health', '/workouts/new', `/workouts/${workout.workout_id}`, `/workouts/${workout.workout_id}/file.fit`];
  for (const outsider of JSON.parse(env.OUTSIDERS)) {
    const them = await signIn(outsider.email, outsider.password);
    for (const path of pages) {
      const response = await them.page.request.get(url(`${athleteBase}${path}`), { maxRedirects: 0 });
      check(response.status() === 404, `${outsider.who}: ${athleteBase}${path} answers ${response.status()}`);
    }
    const response = await them.page.request.get(url(sessionPage), { maxRedirects: 0 });
    check(response.status() === 404, `${outsider.who}: the session page answers ${response.status()}`);
    await them.page.goto(url(`${athleteBase}/calendar`));
    check((await them.page.locator('h1').innerText()).includes('Not found'), `${outsider.who} sees a not-found page`);
    await them.wide.close();
  }

  // Every form refuses a post without its token, and changes nothing.
  const forms = [
    `${athleteBase}/calendar/sessions`, `${athleteBase}/calendar/sessions/${sessionId}`,
    `${athleteBase}/calendar/sessions/${sessionId}/move`, `${athleteBase}/calendar/sessions/${sessionId}/delete`,
    `${athleteBase}/calendar/copy`, `${athleteBase}/calendar/races`, `${athleteBase}/workouts`,
    `${athleteBase}/workouts/${workout.workout_id}`, `${athleteBase}/workouts/${workout.workout_id}/delete`,
    '/organization', '/library', '/messages', '/settings', '/forgot',
  ];
  for (const path of forms) {
    const response = await page.request.post(url(path), {
      form: { date: wednesday, discipline_id: '8', do: 'invite', confirm: 'yes', name: 'x', text: '5 min' },
      maxRedirects: 0,
    });
    check(response.status() === 403, `${path} without its token answers ${response.status()}`);
  }
  synced = await sessionsSince(since);
  check(synced.length === 1 && synced[0].date === thursday, 'nothing changed by the refused posts');

  // Accessibility, by axe-core: no WCAG 2 A or AA violation on any page visited.
  const axe = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  const auditing = await launched.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  await auditing.addCookies(await owner.wide.cookies());
  const auditor = await auditing.newPage();
  for (const { url: address, context } of visited) {
    if (context === null) continue;
    await auditor.goto(address);
    await auditor.addScriptTag({ path: axe });
    const result = await auditor.evaluate(async () => await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }));
    for (const v of result.violations) {
      const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ');
      problems.push(`accessibility on ${address}: ${v.id} (${v.impact}): ${v.help} at ${where}`);
    }
  }
  check(problems.length === 0, problems.join('\n'));
  console.log(`ok: coaching in Chromium (${visited.length} pages checked by axe-core, ${shots} screenshots in ${env.SCREENSHOTS})`);
} catch (e) {
  console.error(`FAILED: coaching in Chromium: ${e.stack ?? e}\n${problems.join('\n')}`);
  process.exitCode = 1;
} finally {
  await launched.close();
}
