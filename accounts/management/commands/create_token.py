from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create a new personal API token for each EMAIL and print one token per line."

    def add_arguments(self, parser):
        parser.add_argument("emails", nargs="+", metavar="EMAIL")
        parser.add_argument("--name", default="created by manage.py create_token")

    def handle(self, *args, emails, name, **options):
        User = get_user_model()
        users = []
        for email in emails:
            user = User.objects.filter(email__iexact=email.strip()).first()
            if user is None:
                raise CommandError(f"No user with email {email}.")
            users.append(user)
        for user in users:
            _, raw = api_token_create(user=user, name=name)
            self.stdout.write(raw)
