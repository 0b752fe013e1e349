"""Small widgets shared by the screens (styles in widgets.tcss, loaded by the app)."""
