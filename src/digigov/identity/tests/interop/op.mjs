// An independent OpenID Connect provider (panva's certified oidc-provider) that the
// tests point Digigov's relying party at. Its configuration comes as JSON in argv[2]:
// {port, issuer, person, acr, userinfo, signedUserinfo, authMethods, client: {...}}.
// The person "signs in" at once: the interaction logs them in at the given acr and
// grants what the client asked, so the tests exercise the protocol, not a form.
// Every request is printed as "REQUEST <method> <path>" so a test can count them.
import http from 'node:http';
import Provider from 'oidc-provider';

const conf = JSON.parse(process.argv[2]);
const NUMBER = 'https://id.oidc.se/claim/personalIdentityNumber';

const provider = new Provider(conf.issuer, {
  clients: [conf.client],
  clientAuthMethods: conf.authMethods,
  acrValues: [conf.acr],
  scopes: ['openid', 'profile', 'https://id.oidc.se/scope/naturalPersonNumber'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'birthdate'],
    'https://id.oidc.se/scope/naturalPersonNumber': [NUMBER],
  },
  // without userinfo the claims travel in the ID token
  conformIdTokenClaims: conf.userinfo,
  features: {
    devInteractions: { enabled: false },
    userinfo: { enabled: conf.userinfo },
    jwtUserinfo: { enabled: conf.signedUserinfo },
  },
  pkce: { required: () => true },
  cookies: { keys: ['interop-tests-only'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          name: conf.person.name,
          given_name: conf.person.given_name,
          family_name: conf.person.family_name,
          birthdate: conf.person.birthdate,
          [NUMBER]: conf.person.number,
        };
      },
    };
  },
});
provider.proxy = false;

async function interact(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params } = details;
  let result;
  if (prompt.name === 'login') {
    result = { login: { accountId: conf.person.id, acr: conf.acr } };
  } else {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

const handle = provider.callback();
const server = http.createServer((req, res) => {
  console.log(`REQUEST ${req.method} ${req.url.split('?')[0]}`);
  if (req.url.startsWith('/interaction/')) {
    interact(req, res).catch((error) => {
      console.log(`ERROR ${error}`);
      res.statusCode = 500;
      res.end(String(error));
    });
    return;
  }
  handle(req, res);
});
server.listen(conf.port, '127.0.0.1', () => console.log('READY'));
