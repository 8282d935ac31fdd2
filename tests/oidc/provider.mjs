// A real OpenID provider for the tests: panva's oidc-provider (certified
// OpenID Connect), run by Node on 127.0.0.1. tests/oidc/node_provider.py
// starts it on a free port with one client registered and reads "ready".
//
// Environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI.
// devInteractions lets a test sign in as any login name (the password is not
// checked); the login name picks the account below.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;

// login name -> claims. "overifierad" has an address the provider has not verified.
const ACCOUNTS = {
  anna: { email: 'anna@example.org', email_verified: true, name: 'Anna Andersson' },
  ny: { email: 'ny@example.org', email_verified: true, name: 'Nils Ny' },
  overifierad: { email: 'anna@example.org', email_verified: false, name: 'Okänd Person' },
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: [process.env.REDIRECT_URI],
  }],
  features: { devInteractions: { enabled: true } },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  pkce: { required: () => true },
  async findAccount(ctx, sub) {
    const claims = ACCOUNTS[sub] || { email: `${sub}@example.org`, email_verified: true, name: sub };
    return { accountId: sub, async claims() { return { sub, ...claims }; } };
  },
});

const server = provider.listen(port, '127.0.0.1', () => { console.log(`ready ${issuer}`); });
process.on('SIGTERM', () => server.close(() => process.exit(0)));
