"""Engage: ask residents what matters most and turn the answers into weights for performance management."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from engage import health, logs, proxy, static_files, transactions
from engage.config import load_config
from engage.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate
from engage.templating import EngageEnvironment
from engage.urls import RowIdConverter

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides settings (tests pass a mapping). No database work here."""
    app = Flask(__name__, instance_relative_config=True)
    app.jinja_environment = EngageEnvironment  # before anything makes app.jinja_env
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(app.instance_path, config))

    # First: its after_request hook must run after every other one (Flask runs them in reverse order).
    transactions.init_app(app)
    logs.init_app(app)
    proxy.init_app(app)
    static_files.init_app(app)
    app.url_map.converters["int"] = RowIdConverter  # before any route: a huge id is a 404, not a 500
    configure_templates(app)
    configure_extensions(app)
    register_blueprints(app)
    configure_worker_copies()
    register_error_handlers(app)
    register_cli(app)
    configure_jobs(app)
    return app


def configure_worker_copies() -> None:
    """What each worker keeps in memory is dropped when this worker commits a change to it."""
    from engage import kept_structure
    from engage.prioritise.pairwise import chooser

    chooser.init_app()
    kept_structure.init_app()


def configure_jobs(app: Flask) -> None:
    """The job queue's storage for this app, and its tasks (a worker finds them by name)."""
    from engage.jobs import queue, tasks  # noqa: F401  (tasks: registered with the queue on import)

    queue.configure(app)


def configure_templates(app: Flask) -> None:
    """The app's templates first, then the GOV.UK Frontend macros under their package prefixes."""
    from engage import content, web

    own_templates = app.jinja_loader
    assert own_templates is not None, "the app has a templates folder"
    app.jinja_loader = ChoiceLoader(
        [
            own_templates,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    web.init_app(app)
    content.init_app(app)


def configure_extensions(app: Flask) -> None:
    """Bind each extension to the app."""
    from engage.accounts.models import User
    from engage.accounts.sessions import signed_in_user
    from engage.database import ping_after_idle
    from engage.i18n import register_date_filters, select_locale

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_after_idle(engine, app.config["ENGAGE_DATABASE_PING_AFTER_IDLE"])
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    register_date_filters(app)
    htmx.init_app(app)
    limiter.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = None  # the sign-in page says what to do; no extra banner
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # Only while the session the cookie names is live on the server (engage/accounts/sessions.py).
        return signed_in_user(user_id)


#: The modules that add routes to each package's blueprint, named from the package (a sub-package's views
#: module too: ``pairwise.views``). They are imported here, when the app is built,
#: not by the packages themselves: importing a package's models then never pulls in another package's views
#: (which is what made import cycles between boards and prioritise).
ROUTE_MODULES = {
    "public": ["views"],
    "accounts": ["views_sign_in", "views_account", "views"],
    "boards": ["views"],
    "prioritise": [
        "views_public",
        "pairwise.views",
        "submissions.views",
        "budget.views",
        "ranking.views",
        "views_manage",
        "views_integrity",
    ],
    "population": ["views"],
    "surveys": [
        "views_resident",
        "views_manage",
        "views_results",
        "views_paper",
        "views_translate",
        "views_activity",
    ],
    "weights": ["views_manage", "views_sign_off", "views_public"],
    "api": ["views", "views_tokens"],
    "indicators": ["views", "views_matrix", "views_entry"],
    "workshops": ["views_participant", "views_facilitator", "views_paper", "views_report"],
    "audit": ["views"],
    "reports": ["views"],
    "jobs": ["views"],
}


def register_blueprints(app: Flask) -> None:
    """One blueprint per domain package, with the routes its view modules add."""
    for package, modules in ROUTE_MODULES.items():
        for module in modules:
            import_module(f"engage.{package}.{module}")
        app.register_blueprint(import_module(f"engage.{package}").bp)
    app.register_blueprint(health.bp)
    from engage.audit.service import init_app as record_staff_actions

    record_staff_actions(app)


def register_error_handlers(app: Flask) -> None:
    """GOV.UK-style pages for HTTP errors."""
    from engage.errors import init_app

    init_app(app)


def register_cli(app: Flask) -> None:
    """Click commands, one module per domain."""
    from engage.accounts.cli import create_admin, reset_two_factor, set_password
    from engage.backup.cli import backup_command, restore_command
    from engage.demo import demo
    from engage.indicators.cli import import_indicators_command
    from engage.jobs.cli import jobs_cli
    from engage.population.cli import import_population_command
    from engage.prioritise.cli import rebuild_counts_command
    from engage.privacy.cli import delete_response_command, export_response_command, retention_command
    from engage.surveys.cli import rebuild_answer_counts_command
    from engage.weights.cli import export_weights_command

    for command in (
        create_admin,
        set_password,
        reset_two_factor,
        demo,
        rebuild_counts_command,
        rebuild_answer_counts_command,
        import_population_command,
        export_weights_command,
        import_indicators_command,
        backup_command,
        restore_command,
        retention_command,
        export_response_command,
        delete_response_command,
    ):
        app.cli.add_command(transactions.one_unit_of_work(command))
    app.cli.add_command(jobs_cli)  # each job command runs its own units of work, as the worker's tasks do
