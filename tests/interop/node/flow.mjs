// The whole OAuth flow against Paceline with a real client library, as its documentation
// prescribes: discover, authorize (a user logs in and consents), exchange, call the API,
// refresh twice, see a reused refresh token refused, revoke, see the API refuse the token.
//
// Environment: LIBRARY (oauth4webapi | openid-client), PACELINE_URL, CLIENT_ID,
// CLIENT_SECRET (empty for a public client), REDIRECT_URI, SCOPE, EMAIL, PASSWORD.
// Exits 0 when every step behaved as specified; prints what failed otherwise.

import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { Browser } from './browser.mjs';

const env = process.env;
const issuer = new URL(env.PACELINE_URL);
const secret = env.CLIENT_SECRET || undefined;
const profileUrl = new URL('/api/external/v1/profile', issuer);

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function expectRefused(promise, error, what) {
  try {
    await promise;
  } catch (e) {
    const code = e.error ?? e.cause?.error;
    check(code === error, `${what}: expected ${error}, got ${code} (${e.message})`);
    return;
  }
  throw new Error(`${what}: expected ${error}, but it succeeded`);
}

async function withOauth4webapi() {
  const options = { [oauth.allowInsecureRequests]: true };
  const as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oauth2' }),
  );
  const c = { client_id: env.CLIENT_ID };
  const auth = secret ? oauth.ClientSecretBasic(secret) : oauth.None();

  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', c.client_id);
  url.searchParams.set('redirect_uri', env.REDIRECT_URI);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', env.SCOPE);
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');

  const callback = await new Browser().authorize(url.href, env.EMAIL, env.PASSWORD);
  const params = oauth.validateAuthResponse(as, c, callback, state);
  const tokens = await oauth.processAuthorizationCodeResponse(
    as, c,
    await oauth.authorizationCodeGrantRequest(as, c, auth, params, env.REDIRECT_URI, verifier, options),
  );
  check(tokens.access_token.startsWith('tia_at_'), 'access token prefix');
  check(tokens.scope === env.SCOPE, `scope ${tokens.scope}`);

  const me = await oauth.protectedResourceRequest(tokens.access_token, 'GET', profileUrl, undefined, undefined, options);
  check(me.status === 200, `profile answered ${me.status}`);
  check((await me.json()).email === env.EMAIL, 'profile email');

  const second = await oauth.processRefreshTokenResponse(
    as, c, await oauth.refreshTokenGrantRequest(as, c, auth, tokens.refresh_token, options),
  );
  const third = await oauth.processRefreshTokenResponse(
    as, c, await oauth.refreshTokenGrantRequest(as, c, auth, second.refresh_token, options),
  );
  check(third.refresh_token !== second.refresh_token, 'rotation');
  await expectRefused(
    oauth.refreshTokenGrantRequest(as, c, auth, tokens.refresh_token, options)
      .then((r) => oauth.processRefreshTokenResponse(as, c, r)),
    'invalid_grant', 'reused refresh token',
  );

  // The reuse revoked the family: authorize again, then revoke.
  const again = await fullAuthorization(as, c, auth, options);
  await oauth.processRevocationResponse(await oauth.revocationRequest(as, c, auth, again.refresh_token, options));
  try {
    await oauth.protectedResourceRequest(again.access_token, 'GET', profileUrl, undefined, undefined, options);
    throw new Error('the revoked access token was accepted');
  } catch (e) {
    check(e instanceof oauth.WWWAuthenticateChallengeError, `revoked token: ${e}`);
    check(e.response.status === 401, `revoked token answered ${e.response.status}`);
    check(e.cause[0].parameters.error === 'invalid_token', 'invalid_token challenge');
  }
}

async function fullAuthorization(as, c, auth, options) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint);
  for (const [k, v] of Object.entries({
    client_id: c.client_id, redirect_uri: env.REDIRECT_URI, response_type: 'code', scope: env.SCOPE,
    state, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  })) url.searchParams.set(k, v);
  const callback = await new Browser().authorize(url.href, env.EMAIL, env.PASSWORD);
  const params = oauth.validateAuthResponse(as, c, callback, state);
  return oauth.processAuthorizationCodeResponse(
    as, c, await oauth.authorizationCodeGrantRequest(as, c, auth, params, env.REDIRECT_URI, verifier, options),
  );
}

async function withOpenidClient() {
  const auth = secret ? client.ClientSecretBasic(secret) : client.None();
  const config = await client.discovery(issuer, env.CLIENT_ID, secret, auth, {
    execute: [client.allowInsecureRequests],
    algorithm: 'oauth2',
  });
  const authorizeOnce = async () => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: env.REDIRECT_URI,
      scope: env.SCOPE,
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const callback = await new Browser().authorize(url.href, env.EMAIL, env.PASSWORD);
    return client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  };
  const tokens = await authorizeOnce();
  check(tokens.access_token.startsWith('tia_at_'), 'access token prefix');
  const me = await client.fetchProtectedResource(config, tokens.access_token, profileUrl, 'GET');
  check(me.status === 200, `profile answered ${me.status}`);
  check((await me.json()).email === env.EMAIL, 'profile email');
  const second = await client.refreshTokenGrant(config, tokens.refresh_token);
  const third = await client.refreshTokenGrant(config, second.refresh_token);
  check(third.refresh_token !== second.refresh_token, 'rotation');
  await expectRefused(client.refreshTokenGrant(config, tokens.refresh_token), 'invalid_grant', 'reused refresh token');
  const again = await authorizeOnce();
  await client.tokenRevocation(config, again.refresh_token);
  const after = await fetch(profileUrl, { headers: { authorization: `Bearer ${again.access_token}` } });
  check(after.status === 401, `revoked token answered ${after.status}`);
}

try {
  if (env.LIBRARY === 'oauth4webapi') await withOauth4webapi();
  else if (env.LIBRARY === 'openid-client') await withOpenidClient();
  else throw new Error(`unknown LIBRARY ${env.LIBRARY}`);
  console.log(`ok: ${env.LIBRARY} ${secret ? 'confidential' : 'public'} client`);
} catch (e) {
  console.error(`FAILED: ${env.LIBRARY} ${secret ? 'confidential' : 'public'} client: ${e.stack ?? e}`);
  if (e.cause) console.error('cause:', e.cause);
  process.exit(1);
}
