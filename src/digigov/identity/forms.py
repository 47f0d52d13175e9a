from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from digigov.core.identifiers import parse_person_identifier
from digigov.identity import builtin_eid, loa
from digigov.identity.eid_test_people import TEST_PEOPLE


class StaffSignInForm(forms.Form):
    username = forms.CharField(label=_("Användarnamn"), max_length=150)
    password = forms.CharField(label=_("Lösenord"), widget=forms.PasswordInput, max_length=256)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class TestSignInForm(forms.Form):
    """What a person tells the test e-ID provider: who to be, and at which level."""

    personal_identity_number = forms.CharField(
        label=_("Personnummer"),
        help_text=_("10 eller 12 siffror, till exempel 19900101-1234"),
        max_length=20,
    )
    given_name = forms.CharField(label=_("Förnamn"), max_length=100, required=False)
    surname = forms.CharField(label=_("Efternamn"), max_length=100, required=False)
    loa = forms.ChoiceField(
        label=_("Tillitsnivå"),
        choices=lambda: [(uri, loa.label(uri)) for uri in builtin_eid.OFFERED_LOAS],
    )

    def clean_personal_identity_number(self) -> str:
        return parse_person_identifier(self.cleaned_data["personal_identity_number"]).value

    def person(self) -> builtin_eid.TestPerson:
        number = self.cleaned_data["personal_identity_number"]
        known = {p.personal_identity_number: p for p in self.test_people()}
        if number in known and not self.cleaned_data["given_name"]:
            return known[number]
        return builtin_eid.TestPerson(
            personal_identity_number=number,
            given_name=self.cleaned_data["given_name"] or "Test",
            surname=self.cleaned_data["surname"] or "Testsson",
        )

    @staticmethod
    def test_people() -> list[builtin_eid.TestPerson]:
        return TEST_PEOPLE
