# Sphinx configuration for the salesfunnel documentation site (built from docs/).
# Build: sphinx-build -W -b html docs <out>   (warnings are errors; the test suite runs it)
project = "salesfunnel"
author = "the salesfunnel developers"
extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "notebooks", "images/*.md"]
myst_heading_anchors = 3
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False}
html_theme = "alabaster"
suppress_warnings = ["myst.xref_missing"]
