"""HSDS import benchmark: a file of 10,000 HSDS 3.0 services, checked (dry run) and imported.

The file is a list page (`contents`) of services in the shape other HSDS publishers send: each with its
organisation (200 of them, repeated), a phone, a schedule, a language, a contact, a service area (a
council, a postcode, or words we cannot map), a service at a location (with its address) and an
attribute from another taxonomy — about 12 rows a service. Timed, alternating, over ROUNDS rounds:

- floor A: json.loads of the file and jsonschema validation of every service against
  ../shared/hsds/schema/service_with_definitions.json (what any careful importer must at least do);
- floor B: Django's bulk_create of exactly the rows the import writes (captured from an import), in
  one transaction rolled back (the database's share, without reading or checking anything);
- dry run: `hsds_import_run(dry_run=True)` from the bytes of the file (json.loads included): every
  check, and no bulk write of the new rows;
- import: `hsds_import_run` (json.loads included), kept, in one transaction; on PostgreSQL the new
  rows go in with COPY (then they are removed, untimed, for the next round).

Prints median and range of each, and each of dry run and import as a ratio to both floors. The targets
(issue 14): dry run <= 60 s and import <= 120 s on this machine, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/hsds_import.py
    SERVICES=1000 ROUNDS=3 .venv/bin/python benchmarks/hsds_import.py     # quicker, SQLite
"""

import json
import os
import random
import statistics
import time
import uuid
from pathlib import Path

from _setup import ROOT, bench, django_setup

SERVICES = int(os.environ.get("SERVICES", "10000"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
HSDS_DIR = Path(os.environ.get("HSDS_DIR", ROOT.parent / "shared" / "hsds"))
AREAS = ["Ballarat LGA", "City of Ballarat", "Hepburn Shire Council", "3350", "3356", "Western Victoria region"]


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def make_file(n: int, rng: random.Random) -> bytes:
    organizations = [
        {"id": uid(rng), "name": f"Organisation {i}", "description": "A synthetic provider."} for i in range(200)
    ]
    taxonomy = {"id": uid(rng), "name": "Local service types", "description": "Another publisher's taxonomy."}
    terms = [
        {"id": uid(rng), "code": f"T{i}", "name": f"Type {i}", "description": "", "taxonomy_detail": taxonomy}
        for i in range(20)
    ]
    contents = []
    for i in range(n):
        sid, lid, sal = uid(rng), uid(rng), uid(rng)
        contents.append(
            {
                "id": sid,
                "name": f"Service {i:05d}",
                "description": "A synthetic service for the benchmark, with a paragraph of description. " * 3,
                "status": "active",
                "email": f"intake{i}@example.org",
                "url": f"https://example.org/services/{i}",
                "minimum_age": 0,
                "maximum_age": rng.choice([5, 12, 18]),
                "assured_date": "2026-06-01",
                "organization": rng.choice(organizations),
                "phones": [{"id": uid(rng), "number": f"03 5300 {i:04d}", "type": "voice"}],
                "schedules": [
                    {"id": uid(rng), "freq": "WEEKLY", "byday": "MO,TU,WE", "opens_at": "09:00", "closes_at": "17:00"}
                ],
                "languages": [{"id": uid(rng), "name": "Vietnamese", "code": "vi"}],
                "contacts": [{"id": uid(rng), "name": f"Intake worker {i}", "email": f"worker{i}@example.org"}],
                "service_areas": [{"id": uid(rng), "name": rng.choice(AREAS)}],
                "service_at_locations": [
                    {
                        "id": sal,
                        "location": {
                            "id": lid,
                            "location_type": "physical",
                            "name": f"Site {i}",
                            "addresses": [
                                {
                                    "id": uid(rng),
                                    "address_1": f"{i} Sturt Street",
                                    "city": "Ballarat",
                                    "state_province": "VIC",
                                    "postal_code": "3350",
                                    "country": "AU",
                                    "address_type": "physical",
                                }
                            ],
                        },
                    }
                ],
                "attributes": [{"id": uid(rng), "taxonomy_term": rng.choice(terms)}],
            }
        )
    page = {"total_items": n, "total_pages": 1, "page_number": 1, "size": n, "first_page": True}
    page.update({"last_page": True, "empty": False, "contents": contents})
    return json.dumps(page).encode()


def summary(samples: list[float]) -> str:
    return f"median {statistics.median(samples):7.2f} s  (range {min(samples):.2f}–{max(samples):.2f})"


def main() -> None:
    if os.environ.get("DATABASE_URL") and not os.environ.get("BENCH_DB_NAME"):
        os.environ["BENCH_DB_NAME"] = "crossroads_bench_hsds"
    django_setup()
    from django.db import connection, transaction
    from jsonschema import Draft202012Validator

    from accounts.models import Partnership
    from referrals import hsds_import, services
    from referrals.models import Directory

    rng = random.Random(14)
    raw = make_file(SERVICES, rng)
    schema = json.loads((HSDS_DIR / "schema" / "service_with_definitions.json").read_text())
    validator = Draft202012Validator(schema)
    partnership = Partnership.objects.create(
        slug="bench", name="Bench partnership", locality="Ballarat", contact_email="bench@example.org"
    )
    directory = Directory.objects.create(partnership=partnership, name="Bench directory")
    print(f"{connection.vendor}: {SERVICES} services, file {len(raw) / 1e6:.1f} MB, {ROUNDS} rounds")

    # The rows an import writes, captured once from an import (untimed, then removed) for floor B.
    captured: dict = {}
    original_flush = hsds_import.Store.flush

    def capturing_flush(store):
        for model, rows in store.new.items():
            captured[model] = list(rows.values())
        original_flush(store)

    hsds_import.Store.flush = capturing_flush
    report = services.hsds_import_run(directory=directory, payload=json.loads(raw))
    hsds_import.Store.flush = original_flush

    def clean_up():
        with transaction.atomic():
            for model in reversed(hsds_import.WRITE_ORDER):
                model.objects.filter(directory=directory)._raw_delete(connection.alias)

    clean_up()
    rows = sum(len(v) for v in captured.values())
    print(f"rows written by an import: {rows}; rejected {len(report['rejected'])}; unmatched areas "
          f"{len(report['unmatched_areas'])}; other taxonomies' terms {len(report['foreign_terms'])}")  # fmt: skip

    def floor_json():
        doc = json.loads(raw)
        for service in doc["contents"]:
            for _error in validator.iter_errors(service):
                raise AssertionError(_error.message)

    def floor_bulk():
        with transaction.atomic():
            for model in hsds_import.WRITE_ORDER:
                if captured.get(model):
                    model.objects.bulk_create(captured[model], batch_size=1000)
            transaction.set_rollback(True)

    def dry_run():
        result = services.hsds_import_run(directory=directory, payload=json.loads(raw), dry_run=True)
        assert result["counts"]["service"]["created"] == SERVICES, result["counts"]

    def do_import():
        result = services.hsds_import_run(directory=directory, payload=json.loads(raw))
        assert result["counts"]["service"]["created"] == SERVICES, result["counts"]

    timings: dict[str, list[float]] = {"floor A (json + jsonschema)": [], "floor B (bulk_create)": []}
    timings |= {"dry run": [], "import": []}
    steps = [
        ("floor A (json + jsonschema)", floor_json),
        ("dry run", dry_run),
        ("floor B (bulk_create)", floor_bulk),
        ("import", do_import),
    ]
    for round_number in range(1, ROUNDS + 1):
        for name, step in steps:
            t0 = time.perf_counter()
            step()
            timings[name].append(time.perf_counter() - t0)
            if name == "import":
                clean_up()
        print(f"round {round_number}: " + ", ".join(f"{name} {values[-1]:.2f} s" for name, values in timings.items()))
    print()
    for name, samples in timings.items():
        print(f"{name:28} {summary(samples)}")
    floor_a = statistics.median(timings["floor A (json + jsonschema)"])
    floor_b = statistics.median(timings["floor B (bulk_create)"])
    for name, target in (("dry run", 60), ("import", 120)):
        median = statistics.median(timings[name])
        print(
            f"{name}: {median:.1f} s (target <= {target} s: {'met' if median <= target else 'NOT met'}); "
            f"{median / floor_a:.2f}x floor A, {median / floor_b:.2f}x floor B"
        )
        floor_name, floor = ("floor A", floor_a) if name == "dry run" else ("floor B", floor_b)
        samples = timings[name]
        floor_samples = timings["floor A (json + jsonschema)" if name == "dry run" else "floor B (bulk_create)"]
        bench(
            f"hsds import {SERVICES:,} services: {name} (beside {floor_name})",
            f"{median:.1f} s ({min(samples):.1f}–{max(samples):.1f})",
            f"{floor:.1f} s ({min(floor_samples):.1f}–{max(floor_samples):.1f})",
            median / floor,
            f"<= {target} s",
            median <= target,
        )


if __name__ == "__main__":
    main()
