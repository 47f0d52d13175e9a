from django.urls import path

from digigov.identity import provider_views, staff_views, views
from digigov.identity.bankid import views as bankid
from digigov.identity.bankid.simulator import views as bankid_app
from digigov.identity.saml import views as saml

app_name = "identity"

urlpatterns = [
    path("logga-in/", views.sign_in, name="sign-in"),
    path("logga-ut/", views.sign_out, name="sign-out"),
    path("eid/start/<slug:provider>/", views.start, name="start"),
    path("eid/callback/<slug:provider>", views.callback, name="callback"),
    path("eid/bankid/", bankid.choose, name="bankid"),
    path("eid/bankid/starta", bankid.start, name="bankid-start"),
    path("eid/bankid/vantar", bankid.wait, name="bankid-wait"),
    path("eid/bankid/qr", bankid.qr_image, name="bankid-qr"),
    path("eid/bankid/hamta", bankid.collect, name="bankid-collect"),
    path("eid/bankid/avbryt", bankid.cancel, name="bankid-cancel"),
    path("eid/bankid/tillbaka", bankid.returned, name="bankid-return"),
    path("bankid-simulator/app/", bankid_app.app, name="bankid-app"),
    path("bankid-simulator/app/<uuid:order_ref>/", bankid_app.order, name="bankid-app-order"),
    path("bankid-simulator/app/<uuid:order_ref>/svar", bankid_app.decide, name="bankid-app-decide"),
    path("saml/start", saml.start, name="saml-start"),
    path("saml/acs", saml.acs, name="saml-acs"),
    path("saml/metadata", saml.metadata, name="saml-metadata"),
    path("saml/sls", saml.sls, name="saml-sls"),
    path("test-idp/metadata", saml.idp_metadata, name="test-idp-metadata"),
    path("test-idp/sso", saml.idp_sso, name="test-idp-sso"),
    path("test-idp/slo", saml.idp_slo, name="test-idp-slo"),
    path("personal/logga-in/", staff_views.staff_sign_in, name="staff-login"),
    path("personal/engangskod/", staff_views.second_factor_page, name="staff-second-factor"),
    path("personal/logga-ut/", staff_views.staff_sign_out, name="staff-logout"),
    path("test-eid/", provider_views.provider_root, name="test-eid-root"),
    path(
        "test-eid/.well-known/openid-configuration",
        provider_views.provider_discovery,
        name="test-eid-discovery",
    ),
    path("test-eid/jwks", provider_views.provider_jwks, name="test-eid-jwks"),
    path("test-eid/authorize", provider_views.provider_authorize, name="test-eid-authorize"),
    path("test-eid/token", provider_views.provider_token, name="test-eid-token"),
    path("test-eid/userinfo", provider_views.provider_userinfo, name="test-eid-userinfo"),
]
