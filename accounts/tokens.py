"""One-time email-verification links, built like Django's password-reset tokens.

The hash covers the verified flag and the email, so a link stops working once used or once
the address changes, and expires after settings.EMAIL_VERIFICATION_TIMEOUT.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "crossroads.accounts.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.email_verified}{timestamp}"

    def check_token(self, user, token):
        if not super().check_token(user, token):
            return False
        ts_b36 = token.split("-")[0]
        from django.utils.http import base36_to_int

        try:
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        return (self._num_seconds(self._now()) - ts) <= settings.EMAIL_VERIFICATION_TIMEOUT


email_verification_token = EmailVerificationTokenGenerator()
