"""Signals notifications sends for the apps above it (they listen; notifications never imports them)."""

from django.dispatch import Signal

# Sent at the end of every periodic outbox sweep (Celery beat, every 5 minutes): apps with batch work of
# their own resume what stopped making progress (certificates' batches after a killed worker).
outbox_swept = Signal()
