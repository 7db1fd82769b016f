// Sign-on: authorization code + PKCE against the centre's OpenID provider (oidc-client-ts), as the
// public client the API names at /console/config. Tokens stay in this tab's sessionStorage.
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';

let manager: Promise<UserManager> | undefined;

function userManager(): Promise<UserManager> {
  manager ??= fetch('/console/config')
    .then((r) => r.json() as Promise<{ issuer: string | null; clientId: string | null }>)
    .then(({ issuer, clientId }) => {
      if (!issuer || !clientId) throw new Error('the API names no OpenID provider for the console (OIDC_ISSUER)');
      return new UserManager({
        authority: issuer,
        client_id: clientId,
        redirect_uri: `${location.origin}/callback`,
        post_logout_redirect_uri: `${location.origin}/`,
        response_type: 'code',
        scope: 'openid profile',
        userStore: new WebStorageStateStore({ store: sessionStorage }),
        automaticSilentRenew: false,
      });
    });
  return manager;
}

export async function currentUser(): Promise<User | null> {
  const user = await (await userManager()).getUser();
  return user && !user.expired ? user : null;
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
  const state = user.state as { returnTo?: string } | undefined;
  return state?.returnTo && state.returnTo !== '/' ? state.returnTo : '/work';
}

export async function signOut(): Promise<void> {
  const m = await userManager();
  const user = await m.getUser();
  await m.removeUser();
  await m.signoutRedirect(user?.id_token ? { id_token_hint: user.id_token } : {});
}
