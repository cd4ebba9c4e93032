"""engage/templating.py: each template's globals are a plain dict holding every global the app adds."""

from __future__ import annotations

from flask_babel import force_locale

from engage.templating import EngageEnvironment


def test_a_templates_globals_are_a_dict_of_every_global_the_app_adds(app):
    environment = app.jinja_env
    assert isinstance(environment, EngageEnvironment)
    template = environment.get_template("prioritise/_partials/_vote_status.html")
    assert type(template.globals) is dict
    assert set(environment.globals) <= set(template.globals)
    # Flask's, Flask-Babel's and Engage's own, as a page uses them.
    assert {"url_for", "ngettext", "asset_url", "local", "govuk_component"} <= set(template.globals)
    with app.test_request_context("/"):
        english = template.render(made=2, message=None)
        with force_locale("cy"):
            welsh = template.render(made=2, message=None)
    assert english == "You've made 2 choices. Stop whenever you like."
    assert welsh and welsh != english  # the Welsh catalogue's words, through the same globals
