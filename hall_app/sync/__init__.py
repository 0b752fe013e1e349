"""The device side of sync: outbox push, feed pull, the background worker, status.

For the UI: ``hall_app.sync.runner.start_background_sync(ctx)`` and
``hall_app.sync.status.sync_status(ctx)``. Design: docs/sync.md.
"""
