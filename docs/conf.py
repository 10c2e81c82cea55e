"""Sphinx configuration for zmq4's documentation site.

Build it (warnings are errors, as in CI) from the repository root:

    pip install '.[docs]' && sphinx-build -W docs docs/_build

The API reference is generated from the installed zmq4 (autodoc imports it: the compiled
extensions must be built, so this file never puts the source tree on ``sys.path``).
"""

from __future__ import annotations

import importlib.metadata

project = "zmq4"
author = "the zmq4 authors"
copyright = "the zmq4 authors; MPL-2.0"
release = importlib.metadata.version("zmq4")
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# API reference: docstrings plus type annotations (the compiled modules carry embedded
# signatures; their .pyi stubs are what type checkers read).
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_default_options = {"members": True}
# a TypeVar bound to the class reads as the class
autodoc_type_aliases = {"_C": "Context", "_S": "Socket", "_Context": "Context"}
add_module_names = False
autoclass_content = "both"

# "more than one target found" for a bare class name in an annotation (``Context`` is
# zmq4.Context and zmq4.asyncio.Context): the short name is what the source says.
suppress_warnings = ["ref.python"]


def _blank_lines_around_lists(app, what, name, obj, options, lines):  # type: ignore[no-untyped-def]
    """The docstrings write lists the way the README does (a "- " item right after a
    line ending in ":"; a paragraph right after the last item). reST needs a blank line
    before and after a list: add them, changing nothing else."""
    out: list[str] = []
    in_list = False
    list_indent = 0
    for line in lines:
        stripped = line.lstrip()
        item = stripped.startswith(("- ", "* ")) or stripped[:3].rstrip(".").isdigit() and \
            stripped[:4].strip().endswith(".")
        indent = len(line) - len(stripped)
        if item and not in_list and out and out[-1].strip():
            out.append("")
        if in_list and stripped and not item and indent == 0 and list_indent == 0:
            out.append("")
            in_list = False
        if item:
            in_list, list_indent = True, indent
        elif not stripped:
            in_list = False
        out.append(line)
    lines[:] = out


def _public_type_names(app, what, name, obj, options, signature, return_annotation):  # type: ignore[no-untyped-def]
    """Compiled functions carry their annotations as written, private import aliases
    included (``_Context``): show the public name."""
    def fix(text):  # type: ignore[no-untyped-def]
        return text.replace("_Context", "Context") if text else text
    return fix(signature), fix(return_annotation)


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("autodoc-process-docstring", _blank_lines_around_lists)
    app.connect("autodoc-process-signature", _public_type_names)


html_theme = "furo"
html_title = f"zmq4 {release}"
html_static_path: list[str] = []
