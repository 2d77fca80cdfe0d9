import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { importJWK, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import Provider from 'oidc-provider';

/** A person at the test identity provider: the claims it releases about them. */
export interface IdpUser {
  readonly sub: string;
  readonly claims: Record<string, unknown>;
}

export interface OidcClientRegistration {
  readonly clientId: string;
  /** private_key_jwt with this public key, or client_secret_basic with `secret`. */
  readonly publicJwk?: Record<string, unknown>;
  readonly secret?: string;
}

/** Changes the next ID token the token endpoint returns, re-signed with the provider's own key. */
export type IdTokenTamper = (claims: Record<string, unknown>) => Record<string, unknown>;

export interface TestOpenIdProvider {
  readonly issuer: string;
  readonly origin: string;
  /** The provider's certificate (self-signed, made for this run). */
  readonly certificatePem: string;
  readonly users: Map<string, IdpUser>;
  /** Set for one token response; cleared once used. */
  tamperNextIdToken(tamper: IdTokenTamper): void;
  /** Mounts oidc-provider once the portal's address (its redirect URIs) is known. */
  configure(portalUrl: string, clients: readonly OidcClientRegistration[]): void;
  close(): Promise<void>;
}

/**
 * A real OpenID Provider (oidc-provider) over HTTPS on 127.0.0.1 with a certificate made for
 * this run by the openssl command. The server listens before the portal starts (the portal's
 * configuration needs the issuer) and mounts the provider once the portal's address is known.
 * Its login page is the test's own small interaction: "Username" picks the user and "Assurance"
 * the `acr` the provider asserts (as CIS2 asserts AAL2/AAL3 for a smartcard or authenticator).
 */
export async function startTestOpenIdProvider(): Promise<TestOpenIdProvider> {
  const dir = mkdtempSync(join(tmpdir(), 'slp-oidc-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const certificatePem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const keyPem = readFileSync(join(dir, 'key.pem'), 'utf8');
  rmSync(dir, { recursive: true, force: true });

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const clientJwks = new Map<string, string>();
  const server: Server = createServer({ cert: certificatePem, key: keyPem }, (req, res) => {
    // The clients' public keys, as a relying party publishes them (jwks_uri): oidc-provider fetches
    // and parses them itself. (Handing it JWK objects made in Jest's sandbox fails its plain-object check.)
    const jwks = req.url ? clientJwks.get(req.url) : undefined;
    if (jwks) {
      res.setHeader('Content-Type', 'application/json');
      res.end(jwks);
      return;
    }
    if (!handler) {
      res.statusCode = 503;
      res.end();
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = origin;
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const signingJwk = { ...signingKey, kid: 'test-signing-key', alg: 'RS256', use: 'sig' };
  const users = new Map<string, IdpUser>();
  let tamper: IdTokenTamper | undefined;

  return {
    issuer,
    origin,
    certificatePem,
    users,
    tamperNextIdToken: (next) => {
      tamper = next;
    },
    configure(portalUrl, clients) {
      const publishJwks = (clientId: string, jwk: Record<string, unknown>) => {
        clientJwks.set(`/client-jwks/${clientId}`, JSON.stringify({ keys: [jwk] }));
        return `${origin}/client-jwks/${clientId}`;
      };
      const provider = new Provider(issuer, {
        clients: clients.map((client) => ({
          client_id: client.clientId,
          ...(client.publicJwk ? { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: publishJwks(client.clientId, client.publicJwk) } : { client_secret: client.secret, token_endpoint_auth_method: 'client_secret_basic' }),
          redirect_uris: [...portalRedirects(portalUrl)],
          post_logout_redirect_uris: [`${portalUrl}/signed-out`],
          response_types: ['code'],
          grant_types: ['authorization_code'],
        })),
        jwks: { keys: [signingJwk] },
        cookies: { keys: [randomBytes(32).toString('hex')] },
        pkce: { required: () => true },
        ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
        acrValues: ['AAL1', 'AAL2_OR_AAL3_ANY', 'AAL3'],
        scopes: ['openid', 'profile', 'email', 'nationalrbacaccess'],
        claims: {
          openid: ['sub', 'tid', 'oid'],
          email: ['email', 'email_verified'],
          profile: ['given_name', 'family_name', 'name'],
          nationalrbacaccess: ['nhsid_nrbac_roles', 'roles'],
        },
        features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
        interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
        // First-party clients: no consent screen, every requested scope granted.
        loadExistingGrant: async (ctx: any) => {
          const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
          if (grantId) return ctx.oidc.provider.Grant.find(grantId);
          const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
          grant.addOIDCScope('openid profile email nationalrbacaccess');
          await grant.save();
          return grant;
        },
        // The account id is what oidc-provider puts in `sub`.
        findAccount: async (_ctx: unknown, id: string) => {
          const user = [...users.values()].find((candidate) => candidate.sub === id);
          if (!user) return undefined;
          return { accountId: id, claims: async () => ({ ...user.claims, sub: user.sub }) };
        },
      });

      provider.use(async (ctx: any, next: () => Promise<void>) => {
        const match = /^\/interaction\/([\w-]+)$/.exec(ctx.path);
        if (!match) {
          await next();
          if (ctx.path === '/token' && tamper && ctx.body && typeof ctx.body.id_token === 'string') {
            const change = tamper;
            tamper = undefined;
            const header = decodeProtectedHeader(ctx.body.id_token);
            const claims = change({ ...decodeJwt(ctx.body.id_token) });
            const key = await importJWK(signingJwk, 'RS256');
            ctx.body = { ...ctx.body, id_token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: header.kid ?? signingJwk.kid, typ: 'JWT' }).sign(key) };
          }
          return;
        }
        const details = await provider.interactionDetails(ctx.req, ctx.res);
        if (ctx.method === 'GET') {
          ctx.type = 'html';
          ctx.body = `<!doctype html><html lang="en"><head><title>Test identity provider</title></head><body><main><h1>Test identity provider</h1>
            <form method="post" action="/interaction/${details.uid}">
              <label for="login">Username</label> <input id="login" name="login" required>
              <label for="acr">Assurance</label> <select id="acr" name="acr"><option value="AAL1">AAL1</option><option value="AAL2_OR_AAL3_ANY">AAL2_OR_AAL3_ANY</option></select>
              <button type="submit">Continue</button>
            </form></main></body></html>`;
          return;
        }
        const body = await readForm(ctx.req);
        const user = users.get(body.get('login') ?? '');
        if (!user) {
          ctx.status = 400;
          ctx.body = 'unknown user';
          return;
        }
        await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: user.sub, acr: body.get('acr') ?? 'AAL1' } }, { mergeWithLastSubmission: false });
      });
      handler = provider.callback();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function portalRedirects(portalUrl: string): string[] {
  return ['nhs', 'entra'].map((name) => `${portalUrl}/sign-in/oidc/${name}/callback`);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Trusts `certificatePem` for this process's outgoing TLS (fetch included) beside the system's
 * CAs: what NODE_EXTRA_CA_CERTS does for a process started with it.
 */
export function trustCertificate(certificatePem: string): void {
  setDefaultCACertificates([...getCACertificates('default'), certificatePem]);
}

/** A private_key_jwt key pair: the PEM file the portal reads (OIDC_<NAME>_PRIVATE_KEY_FILE) and the public JWK the provider registers. */
export function clientKeyPair(dir: string, kid: string): { file: string; publicJwk: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const file = join(dir, `${kid}.pem`);
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  // Filled in place, not copied: oidc-provider checks a JWK's constructor is its own realm's Object, which
  // node:crypto's export gives and an object literal in Jest's sandbox does not.
  const publicJwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  Object.assign(publicJwk, { kid, alg: 'RS256', use: 'sig' });
  return { file, publicJwk };
}
