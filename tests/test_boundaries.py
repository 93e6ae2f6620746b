"""The app boundaries, checked (README "Layout"; .importlinter holds the layers).

- the apps' import graph has no cycle (config, the composition root, may import everything);
- an app reads another app's rows through the owner's selectors and services, never `Model.objects`
  (read-only reference data excepted: sectors, partnerships, topics), outside migrations and demo data;
- no app imports another's private names (`_name`);
- `apps.get_model` only in migrations.
"""

import ast
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["core", "accounts", "events", "registrations", "notifications", "referrals", "networking", "reporting"]
APPS += ["certificates"]
APPS += ["resources"]
REFERENCE_DATA = {"Sector", "Partnership", "PartnershipMembership", "Topic"}


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            parts = relative.parts
            if "migrations" in parts:
                continue
            yield app, relative, ast.parse(path.read_text(), filename=str(relative))


def _owner(module: str | None) -> str | None:
    top = (module or "").split(".")[0]
    return top if top in APPS else None


def _is_demo(relative: Path) -> bool:
    """Demo data and management commands write rows in bulk on purpose (seed_demo)."""
    return relative.name in {"demo.py", "map_demo.py"} or "management" in relative.parts


def test_the_app_graph_has_no_cycle():
    graph = grimp.build_graph(*APPS, "config")
    depends = {app: set() for app in APPS}
    for app in APPS:
        for other in APPS:
            if other != app and graph.direct_import_exists(importer=app, imported=other, as_packages=True):
                depends[app].add(other)
    cycles = sorted((a, b) for a in APPS for b in depends[a] if a in depends[b] and a < b)
    assert cycles == [], f"apps importing each other: {cycles}"


def test_apps_read_other_apps_rows_through_the_owners_selectors():
    found = []
    for app, relative, tree in _sources():
        if _is_demo(relative):
            continue
        foreign = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".models"):
                owner = _owner(node.module)
                if owner and owner != app:
                    foreign.update({alias.asname or alias.name: owner for alias in node.names})
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "objects"
                and isinstance(node.value, ast.Name)
                and node.value.id in foreign
                and node.value.id not in REFERENCE_DATA
            ):
                found.append(f"{relative}:{node.lineno}: {node.value.id}.objects ({foreign[node.value.id]}'s)")
    assert found == [], "\n".join(found)


def test_no_app_imports_another_apps_private_names():
    found = []
    for app, relative, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                owner = _owner(node.module)
                if owner and owner != app:
                    found += [f"{relative}:{node.lineno}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert found == [], "\n".join(found)


def test_get_model_only_in_migrations():
    """The app registry's get_model only in migrations. Code that a migration shares with the app (it takes
    the registry as its `apps` argument: the historical one, or django.apps.apps at run time) is fine."""
    found = []
    for _, relative, tree in _sources():
        parameters = {
            arg.arg
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            for arg in function.args.args + function.args.kwonlyargs
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "get_model":
                registry = node.value
                if isinstance(registry, ast.Name) and registry.id in parameters:
                    continue
                found.append(f"{relative}:{node.lineno}")
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("app", APPS)
def test_each_app_is_a_package_the_contract_names(app):
    assert app in (ROOT / ".importlinter").read_text()
