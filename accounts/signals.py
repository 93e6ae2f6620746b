"""Signals accounts sends for the apps above it (they listen; accounts never imports them)."""

from django.dispatch import Signal

# Sent by `user_sign_up` inside its transaction, with `user` and `follow_partnerships` (the partnerships
# whose announcements the person asked for on the sign-up form; empty when they ticked none).
user_signed_up = Signal()
