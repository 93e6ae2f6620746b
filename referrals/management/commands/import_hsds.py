import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Partnership
from referrals import services


class Command(BaseCommand):
    help = (
        "Import Open Referral HSDS 3.0 JSON (a service, an organisation, or a list page of them) into a "
        "partnership's directory. Idempotent by id; never overwrites a service verified more recently here. "
        "Prints what was created, updated and rejected (with the field and the reason)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="An HSDS JSON file ('-' reads standard input).")
        parser.add_argument("--partnership", required=True, help="The partnership's slug.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report, change nothing.")

    def handle(self, *args, **options):
        partnership = Partnership.objects.filter(slug=options["partnership"]).first()
        if partnership is None:
            raise CommandError(f"No partnership with the slug {options['partnership']!r}.")
        try:
            text = (
                self.stdin.read() if options["file"] == "-" else Path(options["file"]).read_text(encoding="utf-8-sig")
            )
            payload = json.loads(text)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"Cannot read {options['file']}: {error}")
        directory = services.directory_get_or_create(partnership=partnership)
        report = services.hsds_import_run(directory=directory, payload=payload, dry_run=options["dry_run"])
        self._print(report, dry_run=options["dry_run"])

    def _print(self, report: dict, *, dry_run: bool) -> None:
        verb = "Would import" if dry_run else "Imported"
        for kind, counts in report["counts"].items():
            parts = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
            self.stdout.write(f"{kind}: {parts}")
        for skipped in report["skipped"]:
            self.stdout.write(f"kept {skipped['kind']} {skipped['id']} ({skipped['name']}): {skipped['reason']}")
        for warning in report["warnings"]:
            self.stdout.write(f"warning {warning['kind']} {warning['id']} {warning['field']}: {warning['reason']}")
        for rejected in report["rejected"]:
            where = f"{rejected['path']}" + (f" ({rejected['id']})" if rejected["id"] else "")
            self.stderr.write(
                f"rejected {rejected['kind']} at {where}: {rejected['field'] or '-'}: {rejected['reason']}"
            )
        for area in report.get("unmatched_areas", []):
            self.stdout.write(
                f"service area not matched to a postcode or council: {area['name']!r} ({area['services']})"
            )
        for term in report.get("foreign_terms", []):
            self.stdout.write(f"term of another taxonomy (not a need here): {term['name']!r} in {term['taxonomy']!r}")
        if report.get("without_catchment"):
            self.stdout.write(
                f"{len(report['without_catchment'])} services have no catchment we can check "
                "(offered for every postcode); map their areas on the upload page, or edit them."
            )
        if report.get("failed"):
            self.stderr.write(report["failed"])
        if report["ignored"]:
            self.stdout.write("fields not kept: " + ", ".join(f"{k} ×{n}" for k, n in report["ignored"].items()))
        total = sum(len(report[a]) for a in ("created", "updated", "unchanged"))
        style = self.style.WARNING if report["rejected"] else self.style.SUCCESS
        self.stdout.write(style(f"{verb} {total} records; {len(report['rejected'])} rejected."))
