// Paceline's login and consent pages in a real browser (Debian's Chromium, driven by
// playwright-core): a user signs in and allows; nothing reflected from the request runs as
// script; the sign-in page fits a phone's width; and no other site can frame the pages.
//
// Environment: PACELINE_URL, AUTHORIZE_PATH (an authorization request whose state carries
// markup), EMAIL, PASSWORD, REDIRECT_ORIGIN, SCREENSHOT (a path for a picture of the framing
// attempt), PHONE_SCREENSHOT (one of the sign-in page on a 390 px screen). Exits 0 when every
// check held.

import { chromium } from 'playwright-core';

const env = process.env;
const check = (condition, message) => {
  if (!condition) throw new Error(message);
};

const browser = await chromium.launch({
  executablePath: env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const executed = [];
  page.on('dialog', (dialog) => { executed.push(dialog.message()); dialog.dismiss(); });
  // The client's redirect URI is not reachable here: the browser's navigation there fails,
  // and the answer is read from the redirect itself.

  await page.goto(`${env.PACELINE_URL}${env.AUTHORIZE_PATH}`);
  check(await page.locator('h1').innerText() === 'Sign in', 'the login page');
  await page.fill('#email', env.EMAIL);
  await page.fill('#password', env.PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('button[value=allow]', { timeout: 10000 }).catch(async () => {
    throw new Error(`no consent page after signing in:\n${await page.content()}`);
  });
  check((await page.locator('h1').innerText()).startsWith('Allow'), 'the consent page');
  check(await page.evaluate(() => window.__pwned === undefined), 'reflected markup ran as script');
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/oauth/authorize') && r.request().method() === 'POST'),
    page.click('button[value=allow]'),
  ]);
  check(answer.status() === 303, `the consent answer is a 303, not ${answer.status()}`);
  const callback = new URL(answer.headers().location);
  check(callback.origin === env.REDIRECT_ORIGIN, `redirected to ${callback}`);
  check(callback.searchParams.get('code'), 'a code in the redirect');
  check(callback.searchParams.get('iss') === env.PACELINE_URL, 'iss in the redirect');
  check(executed.length === 0, `script ran: ${executed}`);

  // On a phone's screen the sign-in card fits its width, and the page's icon loads.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const small = await phone.newPage();
  await small.goto(`${env.PACELINE_URL}${env.AUTHORIZE_PATH}`);
  const overflow = await small.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  check(overflow <= 0, `the sign-in page overflows a 390 px screen by ${overflow} px`);
  const icon = await small.evaluate(() => document.querySelector('link[rel=icon]')?.href);
  check(icon, 'the page names its icon');
  const fetched = await small.request.get(icon);
  check(fetched.status() === 200, `the icon answers ${fetched.status()}`);
  if (env.PHONE_SCREENSHOT) await small.screenshot({ path: env.PHONE_SCREENSHOT });
  await phone.close();

  // Another site frames the authorization page: the browser must refuse to show it.
  const attacker = await context.newPage();
  // A control frame (the health route, which may be framed) shows that this harness does
  // see the content of frames that load.
  await attacker.setContent(
    `<html><body><h1>evil</h1>
     <iframe name="page" width="600" height="400" src="${env.PACELINE_URL}${env.AUTHORIZE_PATH}"></iframe>
     <iframe name="control" width="300" height="100" src="${env.PACELINE_URL}/healthz"></iframe></body></html>`,
  );
  await attacker.waitForTimeout(1500);
  const text = async (name) => {
    const frame = attacker.frame({ name });
    check(frame, `the ${name} frame exists`);
    try {
      return await frame.evaluate(() => document.body?.innerText ?? '');
    } catch {
      return '';
    }
  };
  check((await text('control')).includes('ok'), 'the control frame shows its content');
  const visible = await text('page');
  check(!visible.includes('Sign in') && !visible.includes('Allow'), `the page rendered in a frame: ${visible}`);
  if (env.SCREENSHOT) await attacker.screenshot({ path: env.SCREENSHOT });
  console.log('ok: pages in Chromium');
} catch (e) {
  console.error(`FAILED: pages in Chromium: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
