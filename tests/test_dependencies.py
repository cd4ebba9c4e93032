"""requirements.lock (what every install is constrained to) pins every dependency pyproject.toml names, at a
version its range allows: a dependency added or a range changed without `make lock` fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def pinned() -> dict[str, list[tuple[str, Requirement]]]:
    """{name: [(version, line as a requirement)]} from the lock (a package may have one pin per Python)."""
    pins: dict[str, list[tuple[str, Requirement]]] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if not line or line[0] in "# ":
            continue
        requirement = Requirement(line)
        (version,) = re.findall(r"^==(\S+)$", str(requirement.specifier))  # exact pins only
        pins.setdefault(canonicalize_name(requirement.name), []).append((version, requirement))
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + [
        dep for extra in project["optional-dependencies"].values() for dep in extra
    ]
    return [Requirement(line) for line in lines]


def test_every_declared_dependency_is_pinned_within_its_range():
    pins = pinned()
    environment = default_environment()
    problems = []
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        versions = [
            version
            for version, pin in pins.get(name, [])
            if pin.marker is None or pin.marker.evaluate(environment)
        ]
        if not versions:
            problems.append(f"{requirement.name} is not in requirements.lock")
        elif not all(requirement.specifier.contains(v, prereleases=True) for v in versions):
            problems.append(f"{requirement.name} is pinned at {versions}, outside {requirement.specifier}")
    assert problems == [], "run `make lock`:\n" + "\n".join(problems)
