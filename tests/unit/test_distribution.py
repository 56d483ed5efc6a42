"""The distribution as users get it: declared dependencies that cover every import with bounds the
lowest lock proves, and a wheel/sdist with the license, typing marker, entry points and metadata."""

from __future__ import annotations

import ast
import email.parser
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.message import Message
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import paddleflow_provider
from paddleflow_provider._extras import COMMON_COMPAT, COMMON_COMPAT_MIN, EXTRA_MODULES
from paddleflow_provider.get_provider_info import get_provider_info

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]

#: Every third-party module the package imports -> the distribution that must be declared for it.
DECLARED_FOR = {
    "requests": "requests",
    "urllib3": "urllib3",
    "pydantic": "pydantic",
    "tenacity": "tenacity",
    "httpx": "httpx",
    "fastapi": "fastapi",
    "starlette": "starlette",
    "uvicorn": "uvicorn",
    "yaml": "pyyaml",
    "croniter": "croniter",
    "psutil": "psutil",
    "jinja2": "jinja2",
    "click": "click",
    "tabulate": "tabulate",
    "airflow": "apache-airflow",
    "airflow.providers.common.compat": "apache-airflow-providers-common-compat",
}
#: Imported, yet rightly not declared: only ever run by the program that brings them.
NOT_DECLARED = {
    "pytest": "the pytest11 plugin module is only loaded by pytest itself",
    "flask_appbuilder": "the Airflow 2 connection form, built only by Airflow 2's own webserver",
    "flask_babel": "the Airflow 2 connection form, built only by Airflow 2's own webserver",
    "wtforms": "the Airflow 2 connection form, built only by Airflow 2's own webserver",
    "certifi": "an optional CA bundle (guarded import); httpx depends on it anyway",
    "asgiref": "triggers only run inside Airflow, which depends on it (2.11, and 3.x's core and task SDK)",
    "attrs": "the OpenLineage facet class, only imported when Airflow's OpenLineage provider (which "
    "depends on attrs) asks for lineage",
}


def _requirements() -> dict[str | None, list[Requirement]]:
    """Declared requirements by extra (``None``: the core dependencies)."""
    out: dict[str | None, list[Requirement]] = {None: [Requirement(r) for r in PROJECT["dependencies"]]}
    for extra, reqs in PROJECT["optional-dependencies"].items():
        out[extra] = [Requirement(r) for r in reqs]
    return out


def _third_party_imports() -> dict[str, set[str]]:
    """Top-level third-party modules imported anywhere in the package -> the files importing them."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / "paddleflow_provider").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "paddleflow_provider":
                    continue
                key = (
                    "airflow.providers.common.compat"
                    if name.startswith(f"{top}.providers.common.compat")
                    else top
                )
                found.setdefault(key, set()).add(str(path.relative_to(ROOT)))
    return found


def _declaring_groups(distribution: str) -> set[str | None]:
    return {
        group for group, reqs in _requirements().items() for req in reqs if req.name.lower() == distribution
    }


def test_every_third_party_import_has_a_declared_distribution():
    imports = _third_party_imports()
    unknown = set(imports) - set(DECLARED_FOR) - set(NOT_DECLARED)
    assert not unknown, f"imports with no declared distribution: { {m: imports[m] for m in unknown} }"
    for module, files in imports.items():
        if module in NOT_DECLARED:
            continue
        groups = _declaring_groups(DECLARED_FOR[module])
        assert groups, f"{module} (imported by {sorted(files)}) is not declared"
        if any(f.startswith("paddleflow_provider/client/") and "_async" not in f for f in files):
            assert None in groups, f"the client imports {module}: it must be a core dependency"
        if any(f.startswith("paddleflow_provider/emulator/") for f in files):
            assert "emulator" in groups, f"the emulator imports {module}: the 'emulator' extra must bring it"


def test_every_declared_requirement_has_a_lower_bound():
    for group, reqs in _requirements().items():
        for req in reqs:
            assert any(spec.operator == ">=" for spec in req.specifier), f"{req} ({group}) has no lower bound"


def test_the_extras_messages_name_what_the_extras_install():
    for extra, modules in EXTRA_MODULES.items():
        for module in modules:
            assert extra in _declaring_groups(DECLARED_FOR[module]), (extra, module)


def test_the_airflow_check_and_the_airflow_extra_agree_on_common_compat():
    (req,) = [r for r in _requirements()["airflow"] if r.name == COMMON_COMPAT]
    assert str(req.specifier) == ">=" + ".".join(map(str, COMMON_COMPAT_MIN))


def test_the_lowest_lock_pins_every_direct_dependency_at_its_declared_bound():
    lock = (ROOT / "requirements/lowest.lock.txt").read_text()
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", lock, re.MULTILINE))
    pins = {name.lower().replace("_", "-"): version for name, version in pins.items()}
    assert "-e .[airflow,async,emulator,cli]" in (ROOT / "requirements/lowest.in").read_text()
    for group, reqs in _requirements().items():
        for req in reqs:
            pinned = pins.get(req.name.lower())
            assert pinned is not None, f"{req.name} missing from the lowest lock: recompile it"
            assert req.specifier.contains(pinned), f"lock pins {req.name}=={pinned} outside {req}"
            (bound,) = [spec.version for spec in req.specifier if spec.operator == ">="]
            assert _padded(pinned) == _padded(bound), (
                f"{req} ({group}) but the lowest lock pins {pinned}: recompile requirements/lowest.lock.txt"
            )


def _padded(version: str) -> tuple[int, ...]:
    parts = [int(p) for p in version.split(".")]
    return tuple(parts + [0] * (4 - len(parts)))


def test_the_version_has_one_source():
    assert "version" not in PROJECT
    assert PROJECT["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "paddleflow_provider.__version__"
    }
    assert get_provider_info()["versions"] == [paddleflow_provider.__version__]


def test_readme_has_no_link_that_breaks_on_an_index_page():
    readme = (ROOT / PROJECT["readme"]).read_text()
    relative = re.findall(r"\]\((?!https?://|#)([^)]*)\)", readme)
    assert not relative, f"relative links do not resolve on a package index page: {relative}"


# --- the built artifacts ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """Build sdist and wheel (the wheel from the sdist, as ``uv build`` does) from a copy of the tree
    that also holds a decoy ``.venv``: what is built must not depend on what sits beside it."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH (scripts/bootstrap.sh installs it)")
    src = tmp_path_factory.mktemp("src") / "tree"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "*.egg-info", "build", "dist", "__pycache__", ".*cache"
        ),
    )
    (src / ".venv/lib").mkdir(parents=True)
    (src / ".venv/lib/decoy.py").write_text("")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [uv, "build", "--sdist", "--wheel", "--out-dir", str(out), str(src)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return wheel, sdist, done.stdout + done.stderr


def _metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.Parser().parsestr(zf.read(name).decode())


@pytest.mark.slow
def test_building_prints_no_deprecation_warning(built):
    _, _, output = built
    assert not re.search(r"deprecat", output, re.IGNORECASE), output


@pytest.mark.slow
def test_wheel_contents(built):
    wheel, _, _ = built
    version = paddleflow_provider.__version__
    assert wheel.name == f"airflow_provider_paddleflow-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        dist_info = f"airflow_provider_paddleflow-{version}.dist-info"
        assert f"{dist_info}/licenses/LICENSE" in names
        assert zf.read(f"{dist_info}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
        assert "paddleflow_provider/py.typed" in names
        tops = {n.split("/")[0] for n in names}
        assert tops == {"paddleflow_provider", dist_info}, tops
        entry_points = zf.read(f"{dist_info}/entry_points.txt").decode()
    assert (
        "[apache_airflow_provider]\nprovider_info = paddleflow_provider.get_provider_info:get_provider_info"
        in (entry_points)
    )
    assert "[pytest11]\npaddleflow_emulator = paddleflow_provider.emulator.pytest_plugin" in entry_points
    assert (
        "[console_scripts]\npaddleflow = paddleflow_provider.cli:main\n"
        "paddleflow-emulator = paddleflow_provider.emulator.__main__:main" in entry_points
    )


@pytest.mark.slow
def test_wheel_metadata(built):
    wheel, _, _ = built
    meta = _metadata(wheel)
    assert meta["Name"] == "airflow-provider-paddleflow"
    assert meta["Version"] == paddleflow_provider.__version__
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["License"] is None
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["Author"]
    classifiers = meta.get_all("Classifier")
    for classifier in (
        "Framework :: Apache Airflow",
        "Framework :: Apache Airflow :: Provider",
        "Programming Language :: Python :: 3.11",
        "Typing :: Typed",
    ):
        assert classifier in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # the expression says it
    assert "PaddleFlow (upstream), https://github.com/PaddlePaddle/PaddleFlow" in meta.get_all("Project-URL")
    assert set(meta.get_all("Provides-Extra")) == {"async", "emulator", "airflow", "cli"}
    requires = meta.get_all("Requires-Dist")
    for line in (
        "tenacity>=8.3",
        "urllib3>=2.0.2",
        "pydantic>=2.5",
        "requests>=2.31",
        'httpx>=0.27; extra == "async"',
        'fastapi>=0.110; extra == "emulator"',
        'apache-airflow>=2.11; extra == "airflow"',
        'apache-airflow-providers-common-compat>=1.22.0; extra == "airflow"',
    ):
        assert line in requires, requires
    declared = {str(req) for reqs in _requirements().values() for req in reqs}
    assert {str(Requirement(r)).split(";")[0] for r in requires} == declared
    assert "](docs/" not in meta.get_payload()


@pytest.mark.slow
def test_sdist_contents(built):
    _, sdist, _ = built
    prefix = f"airflow_provider_paddleflow-{paddleflow_provider.__version__}"
    with tarfile.open(sdist) as tf:
        names = set(tf.getnames())
    for name in (
        "LICENSE",
        "PKG-INFO",
        "README.md",
        "pyproject.toml",
        "docs/client.md",
        "paddleflow_provider/py.typed",
    ):
        assert f"{prefix}/{name}" in names
    assert not [n for n in names if "/.venv" in n or "/.git" in n]
