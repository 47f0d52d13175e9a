"""The admin, for staff: each sees the organisations they administer, and changes go
through actions like everywhere else. Staff accounts are kept with `digigov staff`
(identity.actions.save_staff_account), so Django's own user pages are not offered."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse

from digigov.core import actions as core_actions
from digigov.core.actors import Actor
from digigov.core.models import Organisation
from digigov.identity import queries

M = TypeVar("M", bound=Model)

admin.site.unregister(get_user_model())
admin.site.unregister(Group)


def _password_set_elsewhere(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """A staff password is set by `digigov staff save`, an audited action; the admin's own
    password pages would change it with no record."""
    raise Http404("Staff passwords are set with `digigov staff save`")


admin.site.password_change = _password_set_elsewhere  # type: ignore[method-assign,assignment]
admin.site.password_change_done = _password_set_elsewhere  # type: ignore[method-assign,assignment]


def administered(request: HttpRequest) -> QuerySet[Organisation]:
    """The organisations the signed-in staff member may administer (all, for a superuser)."""
    return queries.administered_organisations(request.user)


class Administered(admin.ModelAdmin[M]):
    """Reached by a superuser, or by a service administrator for their organisations."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and administered(request).exists()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and (
            obj is None or administered(request).filter(pk=_organisation_id(obj)).exists()
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        # The action saving the change is the transaction (core.transactions); the
        # admin's own around it would make it an inner one.
        return self._changeform_view(request, object_id, form_url, extra_context)  # type: ignore[attr-defined]

    # The audit log is the record of every change (the actions write it); Django's own
    # admin log would be a second, unchained one.
    def log_addition(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def log_change(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def log_deletions(self, *args: Any, **kwargs: Any) -> Any:
        return None


def _organisation_id(obj: Any) -> int:
    return obj.pk if isinstance(obj, Organisation) else obj.organisation_id


@admin.register(Organisation)
class OrganisationAdmin(Administered[Organisation]):
    list_display = ["name", "kind", "organisation_number", "municipality_code"]
    readonly_fields = ["slug", "name", "kind", "organisation_number", "municipality_code"]
    fields = [*readonly_fields, "name_staff_in_data_tracker"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return administered(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # organisations are created through digigov commands (actions)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Organisation, form: ModelForm[Organisation], change: bool
    ) -> None:
        core_actions.save_organisation(
            actor=Actor.staff(request.user.get_username()),
            slug=obj.slug,
            name=obj.name,
            kind=obj.kind,
            organisation_number=obj.organisation_number,
            municipality_code=obj.municipality_code,
            name_staff_in_data_tracker=form.cleaned_data["name_staff_in_data_tracker"],
        )
