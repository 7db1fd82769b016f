// Sign-on: authorization code + PKCE against the centre's OpenID provider (oidc-client-ts), as the
// public client the API names at /console/config. Tokens stay in this tab's sessionStorage.
//
// The access token lives 15 minutes; the refresh token of the sign-in renews it a minute before it runs
// out (automaticSilentRenew), so staff are not sent back to the login page while their provider session
// lasts. After each sign-in and renewal the token also goes to POST /codec/session, which keeps it in an
// HttpOnly cookie for /codec: that is how the Temporal Web UI, which cannot send a token, decodes payloads
// for staff allowed to read them (api/routes/codec.ts). 退出 clears the cookie.
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { currentLocale } from './i18n';

let manager: Promise<UserManager> | undefined;

function userManager(): Promise<UserManager> {
  manager ??= fetch('/console/config')
    .then((r) => r.json() as Promise<{ issuer: string | null; clientId: string | null }>)
    .then(({ issuer, clientId }) => {
      if (!issuer || !clientId) throw new Error('the API names no OpenID provider for the console (OIDC_ISSUER)');
      const m = new UserManager({
        authority: issuer,
        client_id: clientId,
        redirect_uri: `${location.origin}/callback`,
        post_logout_redirect_uri: `${location.origin}/`,
        response_type: 'code',
        scope: 'openid profile',
        userStore: new WebStorageStateStore({ store: sessionStorage }),
        // Renewal uses the refresh token the provider issues with the code (ops/oidc: bound to the
        // provider's session, so it ends with it and at sign-out). No hidden iframe, no silent page.
        automaticSilentRenew: true,
      });
      // Every new token (sign-in, renewal) goes to the codec cookie.
      m.events.addUserLoaded((user) => void openCodecSession(user.access_token));
      // A renewal that failed (session ended at the provider): the next API call sends the user to sign in.
      m.events.addSilentRenewError(() => void m.removeUser());
      return m;
    });
  return manager;
}

let codecSession: { token: string; done: Promise<void> } | undefined;

/**
 * Hands the access token to the API's codec cookie. Roles without the grant get 403 (and the API clears
 * any earlier cookie): nothing to do then. Once per token, however many times it is asked.
 */
function openCodecSession(token: string): Promise<void> {
  if (codecSession?.token !== token) {
    const done = fetch('/codec/session', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'accept-language': currentLocale() } }).then(
      () => undefined,
      () => undefined, // the console works without it; only the Web UI's decoding would not
    );
    codecSession = { token, done };
  }
  return codecSession.done;
}

export async function currentUser(): Promise<User | null> {
  const m = await userManager();
  const user = await m.getUser();
  if (user && !user.expired) {
    // Once per page load too: 退出 in another tab, or a cleared cookie jar, may have removed the cookie.
    void openCodecSession(user.access_token);
    return user;
  }
  // Expired while the tab slept (timers do not run then): renew once with the refresh token.
  if (user?.refresh_token) return m.signinSilent().catch(() => null);
  return null;
}

export async function accessToken(): Promise<string | undefined> {
  return (await currentUser())?.access_token;
}

/** Off to the provider's sign-in page; back at /callback, then at `returnTo`. */
export async function signIn(returnTo = '/work'): Promise<void> {
  await (await userManager()).signinRedirect({ state: { returnTo } });
}

export async function completeSignIn(): Promise<string> {
  const user = await (await userManager()).signinRedirectCallback();
  // Before the first page: the cookie is in place by the time staff open the Web UI from here.
  await openCodecSession(user.access_token);
  const state = user.state as { returnTo?: string } | undefined;
  return state?.returnTo && state.returnTo !== '/' ? state.returnTo : '/work';
}

export async function signOut(): Promise<void> {
  const m = await userManager();
  const user = await m.getUser();
  m.stopSilentRenew();
  await fetch('/codec/session', { method: 'DELETE' }).catch(() => undefined);
  codecSession = undefined;
  await m.removeUser();
  await m.signoutRedirect(user?.id_token ? { id_token_hint: user.id_token } : {});
}
