// A user at a browser: follows Paceline's login and consent pages by submitting their forms,
// keeping cookies, and stops at the redirect back to the client.

export class Browser {
  constructor() {
    this.cookies = new Map();
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(url, options = {}) {
    const response = await fetch(url, {
      ...options,
      redirect: 'manual',
      headers: { ...(options.headers ?? {}), cookie: this.cookieHeader() },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index);
      const value = pair.slice(index + 1);
      if (value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  static field(html, name) {
    const at = html.indexOf(`name="${name}"`);
    if (at < 0) throw new Error(`no field ${name} in page:\n${html}`);
    const tag = html.slice(at, html.indexOf('>', at));
    const match = /value="([^"]*)"/.exec(tag);
    return match[1]
      .replaceAll('&#38;', '&').replaceAll('&amp;', '&').replaceAll('&#34;', '"')
      .replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  }

  async postForm(url, fields) {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  // Opens the authorization URL, logs in and allows; returns the URL the server redirected
  // the browser to (the client's redirect URI with code, state and iss).
  async authorize(authorizationUrl, email, password) {
    const base = new URL(authorizationUrl).origin;
    let response = await this.request(authorizationUrl);
    for (let step = 0; step < 5; step++) {
      if (response.status === 302 || response.status === 303) {
        const location = new URL(response.headers.get('location'), base);
        if (location.origin !== base) return location;
        response = await this.request(location);
        continue;
      }
      const html = await response.text();
      if (response.status !== 200) throw new Error(`page answered ${response.status}:\n${html}`);
      if (html.includes('<h1>Sign in</h1>')) {
        response = await this.postForm(`${base}/login`, {
          csrf: Browser.field(html, 'csrf'),
          return_to: Browser.field(html, 'return_to'),
          email,
          password,
        });
      } else if (html.includes('name="decision"')) {
        response = await this.postForm(`${base}/oauth/authorize`, {
          csrf: Browser.field(html, 'csrf'),
          request: Browser.field(html, 'request'),
          ticket: Browser.field(html, 'ticket'),
          decision: 'allow',
        });
      } else {
        throw new Error(`unexpected page:\n${html}`);
      }
    }
    throw new Error('too many steps');
  }
}
