"""Service administrators install packages here, as `digigov services install` does."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from digigov.core.actors import Actor
from digigov.core.models import Organisation
from digigov.identity import queries as identity_queries
from digigov.identity.admin import Administered
from digigov.services import actions, package
from digigov.services.models import ServiceVersion


class InstallForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    service_file = forms.FileField(label="service.yaml", help_text="The package's service.yaml")

    def __init__(self, *args: Any, administered: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # only where the signed-in staff member is a service administrator
        self.fields["organisation"].queryset = administered  # type: ignore[attr-defined]


@admin.register(ServiceVersion)
class ServiceVersionAdmin(Administered[ServiceVersion]):
    list_display = ["code", "version", "organisation", "is_current", "installed_at"]
    list_filter = ["is_current", "code"]
    readonly_fields = [f.name for f in ServiceVersion._meta.fields]
    change_list_template = "services/admin_change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceVersion]:
        administered = identity_queries.administered_organisations(request.user)
        return super().get_queryset(request).filter(organisation__in=administered)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # installed through the form below, which validates the package

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an installed version is what applications point at: never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # applications point at installed versions

    def get_urls(self) -> list[URLPattern]:
        return [
            path("install/", self.admin_site.admin_view(self.install), name="services_install"),
            *super().get_urls(),
        ]

    def install(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            return redirect("admin:index")
        form = InstallForm(
            request.POST or None,
            request.FILES or None,
            administered=identity_queries.administered_organisations(request.user),
        )
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["service_file"]
            try:
                spec = package.parse_file(upload.read(), upload.name)
                installed = actions.install_package(
                    actor=Actor.staff(request.user.get_username()),
                    organisation=form.cleaned_data["organisation"],
                    spec=spec,
                )
            except package.PackageError as error:
                for problem in error.problems:
                    form.add_error("service_file", str(problem))
            except ValidationError as error:
                form.add_error(None, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    f"Installed {installed.code} {installed.version} for {installed.organisation}",
                )
                return redirect("admin:services_serviceversion_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Install a service package",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "services/admin_install.html", context)
