"""hall-app: the terminal application of a one-stop government service hall.

The core package. Its inner layers (domain, store, services, sync) never import
Textual, reportlab or qrcode; those are loaded lazily by the UI and printing.
"""

__version__ = "0.1.0"
