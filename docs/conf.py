# Sphinx configuration for the salesfunnel documentation site (built from docs/).
# Build: sphinx-build -W -b html docs <out>   (warnings are errors; the test suite runs it)
project = "salesfunnel"
author = "the salesfunnel developers"
copyright = f"{author}, MIT licence"
html_show_copyright = True
html_show_sphinx = False
extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "notebooks", "images/*.md"]
myst_heading_anchors = 3
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False}
html_theme = "alabaster"
html_static_path = ["_static"]
html_css_files = ["salesfunnel.css"]      # code scrolls inside the page, signatures wrap
suppress_warnings = ["myst.xref_missing"]


def _public_signature(app, what, name, obj, options, signature, return_annotation):
    """Leave out parameters whose names start with "_" (internal hooks such as
    StageGraph's _core_graph): the site documents what users pass."""
    if not signature:
        return signature, return_annotation
    import inspect
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return signature, return_annotation
    params = [p for p in sig.parameters.values() if not p.name.startswith("_")]
    if len(params) == len(sig.parameters):
        return signature, return_annotation
    if what in ("class", "method") and params and params[0].name in ("self", "cls"):
        params = params[1:]
    shown = str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty))
    return shown, return_annotation


def setup(app):
    app.connect("autodoc-process-signature", _public_signature)
