"""The whole OAuth flow against Paceline with requests-oauthlib (on oauthlib), as its
documentation prescribes: authorize (a user logs in and consents), exchange, call the API,
refresh twice, see a reused refresh token refused. requests-oauthlib has no revocation
call; the revocation step posts RFC 7009's form with the same session.

Environment as for flow.py.
"""

import os
import sys

from oauthlib.oauth2.rfc6749.errors import InvalidGrantError
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from flow import BASE, PROFILE_URL, SECRET, TOKEN_URL, browser_authorize, env

# oauthlib refuses plain http unless told, with no loopback exemption.
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")


def authorize():
    client = OAuth2Session(
        env["CLIENT_ID"], redirect_uri=env["REDIRECT_URI"], scope=env["SCOPE"].split(" "), pkce="S256"
    )
    url, _state = client.authorization_url(f"{BASE}/oauth/authorize")
    callback = browser_authorize(url)
    if SECRET:
        token = client.fetch_token(TOKEN_URL, authorization_response=callback, client_secret=SECRET)
    else:
        token = client.fetch_token(TOKEN_URL, authorization_response=callback, include_client_id=True)
    return client, token


def refresh(client, refresh_token):
    if SECRET:
        return client.refresh_token(TOKEN_URL, refresh_token=refresh_token, auth=HTTPBasicAuth(env["CLIENT_ID"], SECRET))
    # A public client: requests-oauthlib sends its id as Basic with an empty password.
    return client.refresh_token(TOKEN_URL, refresh_token=refresh_token, auth=HTTPBasicAuth(env["CLIENT_ID"], ""))


def main():
    client, token = authorize()
    assert token["access_token"].startswith("tia_at_"), token
    me = client.get(PROFILE_URL)
    assert me.status_code == 200 and me.json()["email"] == env["EMAIL"], me.text
    first = token["refresh_token"]
    second = refresh(client, first)
    third = refresh(client, second["refresh_token"])
    assert third["refresh_token"] != second["refresh_token"]
    try:
        refresh(client, first)
        raise AssertionError("a reused refresh token was accepted")
    except InvalidGrantError:
        pass

    client, token = authorize()
    auth = HTTPBasicAuth(env["CLIENT_ID"], SECRET or "")
    revoked = client.post(f"{BASE}/api/oauth/revoke", data={"token": token["refresh_token"]}, auth=auth)
    assert revoked.status_code == 200, revoked.text
    after = client.get(PROFILE_URL)
    assert after.status_code == 401, after.status_code


if __name__ == "__main__":
    kind = "confidential" if SECRET else "public"
    try:
        main()
    except Exception as error:  # noqa: BLE001 - report any failure with its trace
        import traceback

        traceback.print_exc()
        print(f"FAILED: requests-oauthlib {kind} client: {error!r}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: requests-oauthlib {kind} client")
