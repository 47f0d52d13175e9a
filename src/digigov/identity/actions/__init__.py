"""State changes owned by identity: sign-in, staff accounts, the test provider's codes,
API keys and signatures. One module each; every name is here."""

from digigov.identity.actions.credentials import (
    API_KEY_PREFIX,
    create_api_credential,
    revoke_api_credential,
)
from digigov.identity.actions.provider import (
    ProviderError,
    Redeemed,
    ensure_provider_key,
    issue_authorization_code,
    purge_expired_provider_state,
    redeem_authorization_code,
    register_test_client,
    remove_test_client,
)
from digigov.identity.actions.residents import (
    sign_in,
    sign_in_resident,
    sign_out_resident,
)
from digigov.identity.actions.signatures import (
    record_signature,
)
from digigov.identity.actions.staff import (
    begin_second_factor,
    record_failed_staff_sign_in,
    remove_second_factor,
    save_staff_account,
    set_staff_eid,
    set_staff_policy,
    sign_in_staff,
    use_second_factor,
)

__all__ = [
    "API_KEY_PREFIX",
    "ProviderError",
    "Redeemed",
    "begin_second_factor",
    "create_api_credential",
    "ensure_provider_key",
    "issue_authorization_code",
    "purge_expired_provider_state",
    "record_failed_staff_sign_in",
    "record_signature",
    "redeem_authorization_code",
    "register_test_client",
    "remove_second_factor",
    "remove_test_client",
    "revoke_api_credential",
    "save_staff_account",
    "set_staff_eid",
    "set_staff_policy",
    "sign_in",
    "sign_in_resident",
    "sign_in_staff",
    "sign_out_resident",
    "use_second_factor",
]
