"""State changes owned by services: installing service packages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digigov.core import audit, clock
from digigov.core.actors import Actor
from digigov.core.models import Organisation
from digigov.core.transactions import action
from digigov.services import catalogue
from digigov.services.models import ServiceVersion
from digigov.services.spec import ServicePackageSpec, model_dump


@action
def install_package(
    *, actor: Actor, organisation: Organisation, spec: ServicePackageSpec
) -> ServiceVersion:
    """Install a version for an organisation and make it current for new applications.

    Installing the same version with the same content again changes nothing;
    the same version number with other content is refused (raise the version).
    """
    if organisation.kind not in spec.offered_by:
        raise ValidationError(
            _("Tjänsten %(code)s kan inte erbjudas av en organisation av typen %(kind)s."),
            code="not_offered",
            params={"code": spec.code, "kind": organisation.get_kind_display()},
        )
    content = model_dump(spec)
    existing = (
        ServiceVersion.objects.select_for_update()
        .filter(organisation=organisation, code=spec.code, version=spec.version)
        .first()
    )
    if existing is not None:
        if existing.spec != content:
            raise ValidationError(
                _(
                    "Version %(version)s av %(code)s är redan installerad med annat innehåll. "
                    "Höj versionsnumret."
                ),
                code="version_exists",
                params={"version": spec.version, "code": spec.code},
            )
        return existing
    ServiceVersion.objects.filter(
        organisation=organisation, code=spec.code, is_current=True
    ).update(is_current=False)
    installed = ServiceVersion.objects.create(
        organisation=organisation,
        code=spec.code,
        version=spec.version,
        name_sv=spec.name.sv,
        name_en=spec.name.en,
        description_sv=spec.description.sv,
        description_en=spec.description.en,
        spec=content,
        loa=spec.loa,
        applicant_kinds=list(spec.applicant.kinds),
        search_text=catalogue.search_text(spec),
        is_current=True,
        installed_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="service.installed",
        organisation=organisation,
        object_type="service_version",
        object_id=installed.pk,
        data={"code": spec.code, "version": spec.version},
    )
    return installed
