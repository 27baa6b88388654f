"""The whole OAuth flow against Paceline with Authlib's requests client, as its
documentation prescribes: authorize (a user logs in and consents), exchange, call the API,
refresh twice, see a reused refresh token refused, revoke, see the API refuse the token.

Environment: PACELINE_URL, CLIENT_ID, CLIENT_SECRET (empty for a public client),
REDIRECT_URI, SCOPE, EMAIL, PASSWORD. Exits 0 when every step behaved as specified.
"""

import html
import os
import re
import sys
from urllib.parse import urljoin, urlparse

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.common.security import generate_token

# Authlib refuses plain http unless told; the test server runs on loopback.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

env = os.environ
BASE = env["PACELINE_URL"]
SECRET = env.get("CLIENT_SECRET") or None
TOKEN_URL = f"{BASE}/api/oauth/token"
PROFILE_URL = f"{BASE}/api/external/v1/profile"


def field(page, name):
    at = page.index(f'name="{name}"')
    tag = page[at : page.index(">", at)]
    return html.unescape(re.search(r'value="([^"]*)"', tag).group(1))


def browser_authorize(url):
    """Opens the authorization URL in a fresh browser, logs in and allows; returns the URL
    the server redirected to."""
    browser = requests.Session()
    response = browser.get(url, allow_redirects=False)
    for _ in range(5):
        if response.status_code in (302, 303):
            location = urljoin(BASE, response.headers["location"])
            if urlparse(location).netloc != urlparse(BASE).netloc:
                return location
            response = browser.get(location, allow_redirects=False)
            continue
        page = response.text
        assert response.status_code == 200, f"page answered {response.status_code}: {page}"
        if "<h1>Sign in</h1>" in page:
            response = browser.post(
                f"{BASE}/login",
                data={
                    "csrf": field(page, "csrf"),
                    "return_to": field(page, "return_to"),
                    "email": env["EMAIL"],
                    "password": env["PASSWORD"],
                },
                allow_redirects=False,
            )
        elif 'name="decision"' in page:
            response = browser.post(
                f"{BASE}/oauth/authorize",
                data={
                    "csrf": field(page, "csrf"),
                    "request": field(page, "request"),
                    "ticket": field(page, "ticket"),
                    "decision": "allow",
                },
                allow_redirects=False,
            )
        else:
            raise AssertionError(f"unexpected page: {page}")
    raise AssertionError("too many steps")


def session():
    return OAuth2Session(
        client_id=env["CLIENT_ID"],
        client_secret=SECRET,
        scope=env["SCOPE"],
        redirect_uri=env["REDIRECT_URI"],
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if SECRET else "none",
    )


def authorize():
    client = session()
    verifier = generate_token(48)
    url, state = client.create_authorization_url(f"{BASE}/oauth/authorize", code_verifier=verifier)
    callback = browser_authorize(url)
    token = client.fetch_token(TOKEN_URL, authorization_response=callback, code_verifier=verifier, state=state)
    return client, token


def main():
    client, token = authorize()
    assert token["access_token"].startswith("tia_at_"), token
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600, token
    assert token["scope"] == env["SCOPE"], token
    me = client.get(PROFILE_URL)
    assert me.status_code == 200 and me.json()["email"] == env["EMAIL"], me.text

    first = token["refresh_token"]
    second = client.refresh_token(TOKEN_URL, refresh_token=first)
    third = client.refresh_token(TOKEN_URL, refresh_token=second["refresh_token"])
    assert third["refresh_token"] != second["refresh_token"]
    try:
        client.refresh_token(TOKEN_URL, refresh_token=first)
        raise AssertionError("a reused refresh token was accepted")
    except OAuthError as error:
        assert error.error == "invalid_grant", error

    client, token = authorize()
    revoked = client.revoke_token(f"{BASE}/api/oauth/revoke", token["refresh_token"], token_type_hint="refresh_token")
    assert revoked.status_code == 200, revoked.text
    after = requests.get(PROFILE_URL, headers={"Authorization": f"Bearer {token['access_token']}"})
    assert after.status_code == 401, after.status_code


if __name__ == "__main__":
    kind = "confidential" if SECRET else "public"
    try:
        main()
    except Exception as error:  # noqa: BLE001 - report any failure with its trace
        import traceback

        traceback.print_exc()
        print(f"FAILED: authlib {kind} client: {error!r}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: authlib {kind} client")
