"""docs/architecture.md stays true: the modules it names exist, and every module is named."""

import re

from tests.conftest import ROOT

NOTE = (ROOT / "docs" / "architecture.md").read_text()


def test_named_modules_exist_and_all_are_named():
    named = set(re.findall(r"`((?:shells/)?[a-z_]+\.py)`", NOTE))
    package = ROOT / "mfa_export"
    existing = {p.name for p in package.glob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    test_files = {p.name for p in (ROOT / "tests").glob("*.py")}
    missing = {name for name in named if not (package / name).exists() and name not in test_files}
    assert not missing, f"docs/architecture.md names modules that do not exist: {sorted(missing)}"
    unnamed = existing - named
    assert not unnamed, f"modules docs/architecture.md does not place: {sorted(unnamed)}"


def test_the_readme_links_it():
    assert "docs/architecture.md" in (ROOT / "README.md").read_text()
