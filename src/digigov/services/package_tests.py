"""Running a package's own tests (tests.yaml): answers that must pass or fail, and fees."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from digigov.services import answers, fees
from digigov.services.package import LoadedPackage


@dataclass(frozen=True)
class Failure:
    test: str
    message: str

    def __str__(self) -> str:
        return f"{self.test}: {self.message}"


def run(package: LoadedPackage) -> tuple[int, list[Failure]]:
    """Run every test in the package; return how many ran and what failed."""
    failures: list[Failure] = []
    ran = 0
    spec = package.spec
    for case in package.tests.get("valid", []):
        ran += 1
        cleaned = answers.clean(spec, case["answers"], complete=True)
        if not cleaned.ok:
            failures.append(
                Failure(case["name"], f"expected no errors, got {sorted(cleaned.errors)}")
            )
    for case in package.tests.get("invalid", []):
        ran += 1
        cleaned = answers.clean(spec, case["answers"], complete=True)
        expected = sorted(case["errors"])
        if sorted(cleaned.errors) != expected:
            failures.append(
                Failure(case["name"], f"expected errors {expected}, got {sorted(cleaned.errors)}")
            )
    for case in package.tests.get("fees", []):
        ran += 1
        if spec.process.fee is None:
            failures.append(Failure(case["name"], "the package has no fee"))
            continue
        amount = fees.fee_at_decision(
            spec.process.fee, case["answers"], days_late=case.get("days_late", 0)
        )
        if amount != Decimal(str(case["expect"])):
            failures.append(Failure(case["name"], f"expected {case['expect']}, got {amount}"))
    return ran, failures
