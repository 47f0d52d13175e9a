"""The package format: the shipped packages load and pass their own tests; bad ones are named."""

import copy
from pathlib import Path

import pytest
import yaml

from digigov.services import package, package_tests

SHIPPED = package.built_in_packages()


def test_three_packages_ship():
    assert [p.name for p in SHIPPED] == ["bygglov", "ekonomiskt_bistand", "serveringstillstand"]


@pytest.mark.parametrize("folder", SHIPPED, ids=lambda p: p.name)
def test_each_shipped_package_passes_its_own_tests(folder):
    loaded = package.load(folder)
    ran, failures = package_tests.run(loaded)
    assert ran >= 2
    assert [str(f) for f in failures] == []


@pytest.mark.parametrize("folder", SHIPPED, ids=lambda p: p.name)
def test_every_text_has_swedish_and_english(folder):
    loaded = package.load(folder)
    for field in loaded.spec.all_fields():
        assert field.label.sv and field.label.en


def bygglov_source() -> dict:
    return yaml.safe_load((package.BUILT_IN / "bygglov" / "service.yaml").read_text())


def write(tmp_path: Path, document) -> Path:
    folder = tmp_path / "paket"
    folder.mkdir(exist_ok=True)
    (folder / "service.yaml").write_text(yaml.safe_dump(document, allow_unicode=True))
    return folder


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(package.PackageError) as error:
        package.load(folder)
    return [str(p) for p in error.value.problems]


def test_an_error_names_the_file_the_field_and_what_is_wrong(tmp_path):
    document = bygglov_source()
    document["steps"][1]["fields"][2]["type"] = "numbr"
    [problem] = problems_of(write(tmp_path, document))
    assert problem.startswith(str(tmp_path / "paket" / "service.yaml"))
    assert "steps[1](id: atgard).fields[2](id: bruttoarea).type" in problem
    assert "'number'" in problem  # pydantic lists what is allowed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["name"].pop("en"), "name.en: Field required"),
        (lambda d: d["process"].update(initial="okand"), "initial state 'okand'"),
        (
            lambda d: d["process"]["transitions"][0].update({"to": "ingenstans"}),
            "unknown state 'ingenstans'",
        ),
        (
            lambda d: d["steps"][0]["fields"][0].update(
                visible_if={"field": "atgard", "equals": "x"}
            ),
            "must come before it",
        ),
        (lambda d: d["steps"][1]["fields"][0].pop("options"), "needs options"),
        (
            lambda d: d["steps"][2]["fields"][0].update(accept=["application/zip"]),
            "not application/zip",
        ),
        (lambda d: d.update(version="1.0"), "version"),
        (lambda d: d["process"]["fee"].update(unit_field="yta"), "unit_field 'yta'"),
        (lambda d: d.update(surprise=True), "surprise: Extra inputs are not permitted"),
        (
            lambda d: d["process"]["transitions"][5].update({"to": "under_handlaggning"}),
            "'besluta' decides: its state must be finished",
        ),
        (
            lambda d: d["process"]["transitions"][2].update({"by": ["handlaggare"]}),
            "'komplettering_inkommen' is an answer: 'by' needs sokande",
        ),
        (
            lambda d: d["process"]["transitions"][1].update({"id": "paborja"}),
            "transition ids must be unique",
        ),
        (lambda d: d["process"]["transitions"][0].update({"does": "fly"}), "does"),
    ],
)
def test_invalid_packages_are_refused_with_a_reason(tmp_path, change, message):
    document = copy.deepcopy(bygglov_source())
    change(document)
    problems = problems_of(write(tmp_path, document))
    assert any(message in p for p in problems), problems


def test_broken_yaml_says_where(tmp_path):
    folder = tmp_path / "paket"
    folder.mkdir()
    (folder / "service.yaml").write_text("code: X\nname: {sv: a\n")
    [problem] = problems_of(folder)
    assert "line 3" in problem and "not valid YAML" in problem


def test_a_missing_folder_or_file_is_named(tmp_path):
    assert "not a folder" in problems_of(tmp_path / "nothing")[0]
    (tmp_path / "empty").mkdir()
    assert "the file is missing" in problems_of(tmp_path / "empty")[0]


def test_a_package_test_that_fails_is_reported(tmp_path):
    folder = write(tmp_path, bygglov_source())
    (folder / "tests.yaml").write_text(
        yaml.safe_dump({"fees": [{"name": "wrong", "answers": {"bruttoarea": 100}, "expect": 1}]})
    )
    ran, failures = package_tests.run(package.load(folder))
    assert ran == 1
    assert [str(f) for f in failures] == ["wrong: expected 1, got 6000"]
