// Drives the console as a browser does: the sign-in page's cookie and form token, the Origin a
// browser sends with a form, then the session cookie and the token every signed-in form carries.

type App = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

export const CONSOLE_ORIGIN = 'http://localhost';

const cookieOf = (res: Response, name: string) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith(`${name}=`) && c.length > name.length + 1);
export const formTokenIn = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';

export interface ConsoleClient {
  /** `outpost_session=…`, for a Cookie header. */
  cookie: string;
  token: string;
  get(path: string): Promise<Response>;
  /** A form post with this session's cookie, token and the console's own Origin. */
  post(path: string, fields?: Record<string, string>): Promise<Response>;
}

/** The sign-in page's cookie and token, as a browser has them before it signs in. */
export async function loginForm(app: App): Promise<{ cookie: string; token: string }> {
  const res = await app.request('/console');
  return { cookie: cookieOf(res, 'outpost_login') ?? '', token: formTokenIn(await res.text()) };
}

export async function signInResponse(app: App, key: string): Promise<Response> {
  const form = await loginForm(app);
  return app.request('/console/login', {
    method: 'POST',
    body: new URLSearchParams({ key, csrf: form.token }),
    headers: { origin: CONSOLE_ORIGIN, cookie: form.cookie },
  });
}

export async function consoleSignIn(app: App, adminKey: string): Promise<ConsoleClient> {
  const res = await signInResponse(app, adminKey);
  const cookie = cookieOf(res, 'outpost_session');
  if (res.status !== 302 || !cookie) throw new Error(`console sign-in failed: ${res.status} ${await res.text()}`);
  const get = async (path: string) => app.request(path, { headers: { cookie } });
  const token = formTokenIn(await (await get('/console')).text());
  const post = async (path: string, fields: Record<string, string> = {}) =>
    app.request(path, { method: 'POST', body: new URLSearchParams({ csrf: token, ...fields }), headers: { origin: CONSOLE_ORIGIN, cookie } });
  return { cookie, token, get, post };
}
