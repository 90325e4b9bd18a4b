// A real OpenID Connect provider for the tests (panva's oidc-provider, certified by the OpenID
// Foundation), started by tests/sso/conftest.py on 127.0.0.1:
//
//   node provider.mjs CONFIG.json
//
// CONFIG.json gives the issuer, the port, the clients, the test accounts (their claims) and the
// signing keys (a private JWKS, so a test can also sign a token of its own with them).
// The login interaction is a form with one field, the account name, that a test posts (an
// unknown name is refused with access_denied); consent is given at once.
//
// For the tests of refused tokens, POST /__test/tamper with {"claims": {...}} changes the claims
// of the next ID token the token endpoint returns and signs it again with the provider's key
// (or, with "foreign_key": true, with a key of nobody's); "now+N"/"now-N" are times from now,
// null removes a claim. POST /__test/tamper with null clears it.

import http from 'node:http';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';
import { CompactSign, generateKeyPair, importJWK } from 'jose';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { issuer, port, clients, accounts, jwks } = config;

let tamper = null;

const provider = new Provider(issuer, {
  clients,
  jwks,
  cookies: { keys: ['sokrog-test-provider-only'] },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', 'org', 'offline_access'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'locale'],
    org: ['job_role', 'unit', 'groups'],
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, sub) {
    if (!Object.hasOwn(accounts, sub)) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) };
  },
});

function when(value, now) {
  const match = typeof value === 'string' && /^now([+-]\d+)?$/.exec(value);
  return match ? now + Number(match[1] || 0) : value;
}

async function resign(idToken, change) {
  const [encodedHeader, encodedPayload] = idToken.split('.');
  const header = JSON.parse(Buffer.from(encodedHeader, 'base64url'));
  const payload = JSON.parse(Buffer.from(encodedPayload, 'base64url'));
  const now = Math.floor(Date.now() / 1000);
  for (const [name, value] of Object.entries(change.claims || {})) {
    if (value === null) delete payload[name];
    else payload[name] = when(value, now);
  }
  const key = change.foreign_key
    ? (await generateKeyPair(header.alg)).privateKey
    : await importJWK(jwks.keys.find((jwk) => jwk.kid === header.kid), header.alg);
  return new CompactSign(Buffer.from(JSON.stringify(payload)))
    .setProtectedHeader(header)
    .sign(key);
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.method === 'POST' && ctx.path === '/token' && tamper && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: await resign(ctx.body.id_token, tamper) };
    tamper = null;
  }
});

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const page = (uid) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><h1>Test identity provider</h1>
<form method="post" action="/interaction/${uid}/login">
<label>Account <input name="login" autocomplete="username"></label>
<button type="submit">Sign in</button>
</form></body></html>`;

async function consent(req, res, details) {
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  const result = { consent: details.grantId ? {} : { grantId } };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

async function interaction(req, res, url) {
  const [, , uid, action] = url.pathname.split('/');
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET' && details.prompt.name === 'consent') {
    return consent(req, res, details);
  }
  if (req.method === 'GET') {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    return res.end(page(uid));
  }
  if (req.method === 'POST' && action === 'login') {
    const login = new URLSearchParams(await readBody(req)).get('login') || '';
    const result = Object.hasOwn(accounts, login)
      ? { login: { accountId: login } }
      : { error: 'access_denied', error_description: 'Unknown account' };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }
  res.statusCode = 405;
  return res.end();
}

const handle = provider.callback();

http
  .createServer(async (req, res) => {
    const url = new URL(req.url, issuer);
    try {
      if (url.pathname === '/__test/tamper' && req.method === 'POST') {
        tamper = JSON.parse((await readBody(req)) || 'null');
        res.statusCode = 204;
        return res.end();
      }
      if (url.pathname.startsWith('/interaction/')) return await interaction(req, res, url);
      return handle(req, res);
    } catch (error) {
      res.statusCode = 500;
      return res.end(String(error));
    }
  })
  .listen(port, '127.0.0.1', () => {
    process.stdout.write(`listening ${issuer}\n`);
  });
