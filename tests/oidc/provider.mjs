// A real OpenID Connect provider for the sign-in tests: the OpenID-certified `oidc-provider`
// package with its own development login page (any login name and password signs in).
//
// Started by tests/oidc_support.py; everything comes from the environment:
//   OIDC_TEST_REDIRECT_URIS       comma-separated redirect URIs of the app under test
//   OIDC_TEST_LOGOUT_URIS         comma-separated post-logout redirect URIs
//   OIDC_TEST_CLIENT_SECRET       the secret of every registered client
//   OIDC_TEST_ACCOUNTS            JSON: login name -> claims (other names get plain claims)
//   OIDC_TEST_ANY_PORT_REDIRECT_URIS, OIDC_TEST_ANY_PORT_LOGOUT_URIS
//                                 optional: the same on 127.0.0.1, for `nominations-any-port`
// It listens on a free port of 127.0.0.1 and prints "listening <issuer>" when ready.
//
// Besides the honest client `nominations`, three clients get ID tokens that the app must
// refuse, made here because a certified provider will not make them on purpose:
//   nominations-expired  the token is validly signed but expired an hour ago
//   nominations-forged   the token is signed with a key that is not the provider's
//   nominations-replay   every token after the first is the first one again (an old nonce)
// And `nominations-any-port`, for an app whose port is only known after the provider started
// (the browser test's live server): a native client, for which the provider accepts its
// loopback redirect URIs on any port (RFC 8252, section 7.3; oidc-provider's own rule). Being
// native, it gets the provider's consent page after the sign-in, as a real provider may show.
import { createServer } from 'node:http';
import { createSign, generateKeyPairSync } from 'node:crypto';

import Provider from 'oidc-provider';

const KID = 'test-signing-key';
const split = (value) => (value || '').split(',').map((s) => s.trim()).filter(Boolean);

function rsaKey() {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

const signingKey = rsaKey();
const foreignKey = rsaKey();
const accounts = JSON.parse(process.env.OIDC_TEST_ACCOUNTS || '{}');
const redirectUris = split(process.env.OIDC_TEST_REDIRECT_URIS);
const logoutUris = split(process.env.OIDC_TEST_LOGOUT_URIS);
const anyPortRedirectUris = split(process.env.OIDC_TEST_ANY_PORT_REDIRECT_URIS);
const anyPortLogoutUris = split(process.env.OIDC_TEST_ANY_PORT_LOGOUT_URIS);
const secret = process.env.OIDC_TEST_CLIENT_SECRET || 'test-client-secret';

const client = (clientId) => ({
  client_id: clientId,
  client_secret: secret,
  redirect_uris: redirectUris,
  post_logout_redirect_uris: logoutUris,
  grant_types: ['authorization_code'],
  response_types: ['code'],
});

const b64url = (value) => Buffer.from(value).toString('base64url');

function signJwt(header, payload, key) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key);
  return `${input}.${signature.toString('base64url')}`;
}

function decodeJwt(token) {
  const [header, payload] = token.split('.').slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  return { header, payload };
}

const firstTokens = new Map();

// The quirky clients' ID tokens, rewritten after the provider made an honest one.
function rewriteIdToken(idToken) {
  const { header, payload } = decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  switch (payload.aud) {
    case 'nominations-expired':
      return signJwt(header, { ...payload, iat: now - 7200, exp: now - 3600 }, signingKey);
    case 'nominations-forged':
      return signJwt(header, payload, foreignKey);
    case 'nominations-replay':
      if (!firstTokens.has(payload.aud)) firstTokens.set(payload.aud, idToken);
      return firstTokens.get(payload.aud);
    default:
      return idToken;
  }
}

const server = createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    ...['nominations', 'nominations-expired', 'nominations-forged', 'nominations-replay']
      .map(client),
    ...(anyPortRedirectUris.length ? [{
      ...client('nominations-any-port'),
      application_type: 'native',
      redirect_uris: anyPortRedirectUris,
      post_logout_redirect_uris: anyPortLogoutUris,
    }] : []),
  ],
  jwks: { keys: [{ ...signingKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'RS256' }] },
  cookies: { keys: ['only-for-the-tests'] },
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'groups', 'department'],
  },
  // The claims travel in the ID token itself (the app reads no userinfo endpoint).
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    const claims = {
      email: `${id}@hospital.example`, email_verified: true, name: id, ...accounts[id], sub: id,
    };
    return { accountId: id, claims: async () => claims };
  },
  // First-party clients: no consent screen, every scope asked for is granted.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope);
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, next) => {
  await next();
  if (process.env.OIDC_TEST_DEBUG) process.stderr.write(`${ctx.method} ${ctx.path} ${ctx.status} ${typeof ctx.body}\n`);
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: rewriteIdToken(ctx.body.id_token) };
  }
});

server.on('request', provider.callback());
process.stdout.write(`listening ${issuer}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
