"""Sweden Connect over SAML 2.0 (the Swedish eID Framework), with pysaml2 and xmlsec1.

`sp` is the service provider: its signed metadata, signed AuthnRequests asking for a
level of assurance (and the person, when known), encrypted assertions checked and
mapped to the identity port, and logout. `federation` reads the federation's metadata
and keeps it fresh. `test_idp` is the installation's own test identity provider, for
the demo and the tests, off in production unless enabled.
"""
