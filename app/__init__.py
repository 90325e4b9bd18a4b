"""The 2SoKroG learning platform: application factory."""

import os
from pathlib import Path
from typing import Any

from flask import Flask

from config import CONFIGS, check_production


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: configure, bind extensions, register blueprints, errors and CLI."""
    app = Flask(__name__, instance_relative_config=True)
    name = config_name or os.environ.get("SOKROG_CONFIG", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"Unknown SOKROG_CONFIG {name!r}; use one of {', '.join(CONFIGS)}")
    app.config.from_object(CONFIGS[name])
    if overrides:
        app.config.update(overrides)
    if app.config["IS_PRODUCTION"]:
        check_production(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["STORAGE_DIR"]).mkdir(parents=True, exist_ok=True)

    # Imported here, not at the top: the factory is what ties the packages together, and a
    # package imported at the top of app/ would load every other one with it.
    # Every model is known before the schema is used.
    from app.audit import models as _audit_models  # noqa: F401
    from app.auth import models as _auth_models  # noqa: F401
    from app.authoring import models as _authoring_models  # noqa: F401
    from app.certificates import models as _certificate_models  # noqa: F401
    from app.competences import models as _competence_models  # noqa: F401
    from app.core import (
        content,
        database,
        errors,
        files,
        health,
        i18n,
        jobs,
        kek,
        logs,
        ratelimit,
        security,
        storage,
        translations,
    )
    from app.core import mail as _mail_models  # noqa: F401
    from app.courses import material_models as _course_material_models  # noqa: F401
    from app.courses import models as _course_models  # noqa: F401
    from app.exports import models as _export_models  # noqa: F401
    from app.extensions import csrf, db, login_manager, migrate
    from app.extensions import mail as mailer
    from app.framework import models as _framework_models  # noqa: F401
    from app.notifications import models as _notification_models  # noqa: F401
    from app.privacy import models as _privacy_models  # noqa: F401
    from app.quizzes import models as _quiz_models  # noqa: F401
    from app.sso import models as _sso_models  # noqa: F401
    from app.xapi import models as _xapi_models  # noqa: F401

    kek.check(app.config)
    db.init_app(app)
    database.init_app(app)
    jobs.init_app(app)
    storage.init_app(app)
    mailer.init_app(app)
    files.init_app(app)
    content.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    ratelimit.init_app(app)
    errors.init_app(app)
    health.init_app(app)
    logs.init_app(app)

    from app.audit import chain as audit_chain
    from app.audit import cli as audit_cli
    from app.audit import views as audit_views
    from app.auth import cli as auth_cli
    from app.auth import views as auth_views
    from app.auth.forms import role_label
    from app.authoring import cli as authoring_cli
    from app.authoring import views as authoring_views
    from app.certificates import cli as certificates_cli
    from app.certificates import views as certificates_views
    from app.competences import cli as competences_cli
    from app.competences import views as competences_views
    from app.courses import cli as courses_cli
    from app.courses import views as courses_views
    from app.demo import cli as demo_cli
    from app.exports import views as exports_views
    from app.framework import cli as framework_cli
    from app.home import views as home_views
    from app.ops import cli as ops_cli
    from app.ops import views as ops_views
    from app.privacy import cli as privacy_cli
    from app.privacy import views as privacy_views
    from app.quizzes import cli as quizzes_cli
    from app.quizzes import views as quizzes_views
    from app.sso import cli as sso_cli
    from app.sso import views as sso_views
    from app.xapi import cli as xapi_cli
    from app.xapi import views as xapi_views

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["role_label"] = role_label
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(auth_views.admin_bp)
    app.register_blueprint(courses_views.bp)
    app.register_blueprint(quizzes_views.bp)
    app.register_blueprint(competences_views.bp)
    app.register_blueprint(certificates_views.bp)
    app.register_blueprint(authoring_views.bp)
    app.register_blueprint(ops_views.bp)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(privacy_views.bp)
    app.register_blueprint(xapi_views.bp)
    app.register_blueprint(home_views.bp)
    app.register_blueprint(exports_views.bp)
    sso_views.init_app(app)
    # Each package connects its receivers to the domain events (app/core/events.py).
    from app.audit import events as audit_events
    from app.certificates import events as certificate_events
    from app.competences import events as competence_events
    from app.courses import progress as course_progress
    from app.notifications import events as notification_events
    from app.quizzes import events as quiz_events
    from app.xapi import events as xapi_events

    course_progress.init_app(app)
    quiz_events.init_app(app)
    competence_events.init_app(app)
    certificate_events.init_app(app)
    # The audit trail and the learning records hear every act, after the packages below.
    audit_chain.init_app(app)
    audit_events.init_app(app)
    xapi_events.init_app(app)
    notification_events.init_app(app)
    auth_cli.init_app(app)
    courses_cli.init_app(app)
    competences_cli.init_app(app)
    framework_cli.init_app(app)
    certificates_cli.init_app(app)
    demo_cli.init_app(app)
    quizzes_cli.init_app(app)
    authoring_cli.init_app(app)  # adds `flask quizzes import-gift`
    ops_cli.init_app(app)
    sso_cli.init_app(app)
    audit_cli.init_app(app)
    privacy_cli.init_app(app)
    xapi_cli.init_app(app)
    translations.init_app(app)
    return app
