"""`pip install .` gives a working console script, with one version source and no tests inside."""

import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from mfa_export import __version__

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_installs_a_working_command(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(wheels.glob("mfa_export-*.whl"))
    assert f"-{__version__}-" in wheel.name
    names = zipfile.ZipFile(wheel).namelist()
    assert "mfa_export/cli.py" in names and not any(n.startswith("tests/") for n in names)
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    for dependency in ("boto3", "rich", "shellingham"):
        assert re.search(rf"^Requires-Dist: {dependency}\b", metadata, re.M)
    assert "Requires-Python: >=3.9" in metadata

    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    py = target / "bin" / "python"
    # The dependencies come from the test environment, so this needs no network.
    site = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = subprocess.run(
        [sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "test-deps.pth").write_text(deps + "\n")
    subprocess.run(
        [py, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True
    )
    out = subprocess.run([target / "bin" / "mfa-export", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"mfa-export {__version__}"
    out = subprocess.run(
        [py, "-m", "mfa_export", "--unset", "--shell", "fish"], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert "set -e -g AWS_SESSION_TOKEN; or true" in out.stdout
