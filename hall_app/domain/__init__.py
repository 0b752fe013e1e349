"""Pure domain rules: no I/O, no UI, no database."""
