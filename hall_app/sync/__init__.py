"""The device side of sync: outbox push, feed pull, status."""
