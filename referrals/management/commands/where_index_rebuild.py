"""Rebuild the "where can I refer?" index (where_index.py), of one directory or all.

python manage.py where_index_rebuild                # every directory
python manage.py where_index_rebuild --partnership ballarat
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from referrals.models import Directory
from referrals.where_index import where_index_rebuild


class Command(BaseCommand):
    help = 'Rebuild the "where can I refer?" index (one row per need and pathway) from the pathways and services.'

    def add_arguments(self, parser):
        parser.add_argument("--partnership", help="The partnership's slug (default: every directory).")

    def handle(self, *args, partnership=None, **options):
        directory_id = None
        if partnership:
            directory = Directory.objects.filter(partnership__slug=partnership).first()
            if directory is None:
                raise CommandError(f"No directory for partnership {partnership!r}.")
            directory_id = directory.pk
        with transaction.atomic():
            written = where_index_rebuild(directory_id=directory_id)
        self.stdout.write(f"Wrote {written:,} where-index rows.")
