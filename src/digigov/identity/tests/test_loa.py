"""Levels of assurance: every Sweden Connect level is understood; an unreviewed one
meets only a requirement for such a level."""

from django.utils import translation

from digigov.identity import loa

UNCERTIFIED_3 = "http://id.swedenconnect.se/loa/1.0/uncertified-loa3"
NOT_NOTIFIED_SUB = "http://eidas.europa.eu/NotNotified/LoA/substantial"


def test_reviewed_levels_meet_their_own_and_lower_requirements():
    assert loa.satisfies("http://id.elegnamnden.se/loa/1.0/eidas-nf-sub", loa.LOA3)
    assert loa.satisfies(loa.LOA4, loa.LOA3)
    assert not loa.satisfies(loa.LOA2, loa.LOA3)


def test_an_unreviewed_level_does_not_meet_a_certified_requirement():
    for unreviewed in (UNCERTIFIED_3, NOT_NOTIFIED_SUB):
        assert loa.level(unreviewed) == 3
        assert not loa.satisfies(unreviewed, loa.LOA3)
        assert not loa.satisfies(unreviewed, loa.LOA2)
    assert loa.satisfies(UNCERTIFIED_3, "http://id.swedenconnect.se/loa/1.0/uncertified-loa2")
    with translation.override("sv"):
        assert loa.label(UNCERTIFIED_3) == "Tillitsnivå 3, ej granskad"
