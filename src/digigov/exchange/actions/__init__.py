"""Changes to the federation registry and to this installation's gateways.

Registry actions (`registry`) keep members, subsystems, services, access
rights and certificates, and publish signed global configurations. Node
actions (`node`) keep the anchor, the last verified configuration, the
gateways' keys and local services. Each is one transaction with an audit row
in the platform's chain.
"""

from digigov.exchange.actions.node import (
    accept_configuration,
    archive_log,
    create_gateway_key,
    install_anchor,
    install_certificate,
    public_key_pem,
    retire_gateway_key,
    run_gateway_here,
    save_local_client,
    save_local_gateway,
    save_local_service,
    witness_checkpoint,
)
from digigov.exchange.actions.registry import (
    add_subsystem,
    grant_access,
    init_registry,
    issue_certificate,
    member_by_id,
    publish_configuration,
    publish_if_due,
    register_gateway,
    register_service,
    revoke_access,
    revoke_certificate,
    save_member,
    subsystem_by_id,
)

__all__ = [
    "accept_configuration",
    "add_subsystem",
    "archive_log",
    "create_gateway_key",
    "grant_access",
    "init_registry",
    "install_anchor",
    "install_certificate",
    "issue_certificate",
    "member_by_id",
    "public_key_pem",
    "publish_configuration",
    "publish_if_due",
    "register_gateway",
    "register_service",
    "retire_gateway_key",
    "revoke_access",
    "revoke_certificate",
    "run_gateway_here",
    "save_local_client",
    "save_local_gateway",
    "save_local_service",
    "save_member",
    "subsystem_by_id",
    "witness_checkpoint",
]
