"""One module per printed document; each exposes ``compose(sheet)``."""

from __future__ import annotations

MODULES = {
    "receipt": "printing.documents.receipt",
    "notice": "printing.documents.notice",
    "commitment": "printing.documents.commitment",
    "refusal": "printing.documents.refusal",
    "authorisation": "printing.documents.authorisation",
    # after the counter (docs/dispatch.md)
    "delivery": "printing.documents.after_counter",
    "supply": "printing.documents.after_counter",
    "pledge": "printing.documents.after_counter",
    "termination": "printing.documents.after_counter",
}
