"""One module per printed document; each exposes ``compose(sheet)``."""

from __future__ import annotations

MODULES = {
    "receipt": "printing.documents.receipt",
    "notice": "printing.documents.notice",
    "commitment": "printing.documents.commitment",
    "refusal": "printing.documents.refusal",
    "authorisation": "printing.documents.authorisation",
}
