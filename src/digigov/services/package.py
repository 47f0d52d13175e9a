"""Loading a service package from disk: parse, validate, and say exactly what is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from digigov.services.spec import ServicePackageSpec

SERVICE_FILE = "service.yaml"
TESTS_FILE = "tests.yaml"


@dataclass(frozen=True)
class PackageProblem:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


class PackageError(Exception):
    def __init__(self, problems: list[PackageProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class LoadedPackage:
    spec: ServicePackageSpec
    source: dict[str, Any]
    tests: dict[str, Any] = field(default_factory=dict)


class _Loader(yaml.SafeLoader):
    """YAML without implicit dates: `2026-12-01` stays the text the author wrote."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PackageError([PackageProblem(str(path), "", "the file is missing")]) from None
    except UnicodeDecodeError:
        raise PackageError([PackageProblem(str(path), "", "the file is not UTF-8")]) from None
    return read_yaml_text(text, str(path))


def read_yaml_text(text: str, file_name: str) -> Any:
    """A package file's YAML, read the one way every package is (no implicit dates)."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise PackageError(
            [PackageProblem(file_name, where, f"not valid YAML: {problem}")]
        ) from None


def parse_file(content: bytes, file_name: str) -> ServicePackageSpec:
    """A service.yaml given as bytes (an upload), checked as `load` checks a folder's."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise PackageError([PackageProblem(file_name, "", "the file is not UTF-8")]) from None
    return parse(read_yaml_text(text, file_name), file_name)


def _location(parts: tuple[int | str, ...], document: Any) -> str:
    """Turn pydantic's location into a path people can find: steps[0].fields[2] (id: area)."""
    text = ""
    node = document
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and "id" in node:
                text += f"(id: {node['id']})"
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text


def parse(document: Any, file_name: str) -> ServicePackageSpec:
    if not isinstance(document, dict):
        raise PackageError([PackageProblem(file_name, "", "the top level must be a mapping")])
    try:
        return ServicePackageSpec.model_validate(document)
    except ValidationError as error:
        problems = [
            PackageProblem(
                file_name,
                _location(tuple(item["loc"]), document),
                item["msg"].removeprefix("Value error, "),
            )
            for item in error.errors()
        ]
        raise PackageError(problems) from None


def load(directory: Path | str) -> LoadedPackage:
    """Load a package folder (service.yaml, and tests.yaml if the package has tests)."""
    folder = Path(directory)
    if not folder.is_dir():
        raise PackageError([PackageProblem(str(folder), "", "not a folder")])
    source = _read_yaml(folder / SERVICE_FILE)
    spec = parse(source, str(folder / SERVICE_FILE))
    tests_path = folder / TESTS_FILE
    tests = _read_yaml(tests_path) if tests_path.exists() else {}
    if not isinstance(tests, dict):
        raise PackageError([PackageProblem(str(tests_path), "", "the top level must be a mapping")])
    return LoadedPackage(spec=spec, source=source, tests=tests)


BUILT_IN = Path(__file__).resolve().parent / "packages"


def built_in_packages() -> list[Path]:
    """The packages shipped with Digigov."""
    return sorted(path for path in BUILT_IN.iterdir() if (path / SERVICE_FILE).exists())
