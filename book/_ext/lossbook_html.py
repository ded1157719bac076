"""Sphinx extension: small repairs to the HTML pages jupyter-book 1 writes.

Some inline scripts (sphinx-thebe's ``const THEBE_JS_URL = ...``, sphinx-togglebutton's
selector) reach every page twice, once registered with the file name ``None`` and once with
``""``, which Sphinx's duplicate check tells apart; the second ``const`` declaration is a
JavaScript error ("Identifier 'THEBE_JS_URL' has already been declared") in every browser
console. Keep the first copy of each script.

And with ``launch_buttons: thebe: false`` no page can start thebe, so its loader
(``sphinx-thebe.js``) and configuration (which names thebe's CDN URL) are left out.

And no page embeds widget state (``application/vnd.jupyter.widget-state+json``, which myst-nb
copies from a notebook's metadata into its page): the book ships no widget JavaScript
(``nb_ipywidgets_js: {}``), every widget's default view is stored as a plain figure, so the
state would only be dead weight (``make execute`` also strips it from the notebooks).
"""
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _fix_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    launch = (app.config.html_theme_options or {}).get("launch_buttons") or {}
    thebe = bool(launch.get("thebe"))
    seen, unique = set(), []
    for js in scripts:
        name = str(getattr(js, "filename", js) or "")
        body = str(getattr(js, "attributes", {}).get("body", ""))
        if not thebe and (name.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body):
            continue
        if getattr(js, "attributes", {}).get("type") == WIDGET_STATE:
            continue
        # the copies differ in how "no file" is spelt (None or ""): compare what is written
        key = (name, tuple(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def setup(app):
    app.connect("html-page-context", _fix_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
