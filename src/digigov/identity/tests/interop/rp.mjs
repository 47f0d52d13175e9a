// An independent OpenID Connect client (panva's certified openid-client) that the tests
// point at Digigov's test e-ID provider. Configuration as JSON in argv[2]:
// {issuer, client_id, client_secret, redirect_uri, scope, nonce}. It prints
// "AUTHORIZE <url>", reads the callback URL the provider sent the browser to from stdin,
// redeems it and prints "RESULT <json>" with the ID token's claims and userinfo, or
// "FAILED <error>".
import readline from 'node:readline';
import * as client from 'openid-client';

const conf = JSON.parse(process.argv[2]);
const input = readline.createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => input.once('line', resolve));

try {
  const config = await client.discovery(
    new URL(conf.issuer), conf.client_id, conf.client_secret, undefined,
    { execute: [client.allowInsecureRequests] },
  );
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const parameters = {
    redirect_uri: conf.redirect_uri,
    scope: conf.scope,
    state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  };
  if (conf.nonce) parameters.nonce = conf.nonce;
  console.log(`AUTHORIZE ${client.buildAuthorizationUrl(config, parameters).href}`);
  const callback = new URL(await nextLine());
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: conf.nonce || undefined,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  console.log(`RESULT ${JSON.stringify({ claims, userinfo, scope: tokens.scope })}`);
} catch (error) {
  console.log(`FAILED ${error.code ?? ''} ${error.message}`);
}
process.exit(0);
