"""Administrators and analysts load the area's population margins."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from engage.accounts.models import Role
from engage.accounts.permissions import roles_required
from engage.forms import form_page
from engage.population import bp
from engage.population.forms import PopulationForm
from engage.population.service import PopulationFileProblem, import_population, population_margins
from engage.uploads import UploadLimits, UploadProblem, read_upload


@bp.route("/manage/population", methods=["GET", "POST"])
@form_page
@roles_required(Role.ANALYST)
def upload():
    form = PopulationForm()
    if form.validate_on_submit():
        try:
            text = read_upload(form.file.data.stream, UploadLimits.current()).decode("utf-8-sig")
        except UploadProblem as problem:
            form.add_error("file", str(problem))
        except UnicodeDecodeError:
            form.add_error("file", _("The file must be saved as UTF-8 text (in Excel: CSV UTF-8)"))
        else:
            try:
                report = import_population(text)
            except PopulationFileProblem as problem:
                for message in problem.problems:
                    form.add_error("file", message)
            else:
                count = len(report.dimensions)
                flash(
                    ngettext(
                        "Loaded population figures for %(num)d dimension.",
                        "Loaded population figures for %(num)d dimensions.",
                        count,
                    ),
                    "success",
                )
                return redirect(url_for(".upload"))
    status = 400 if form.errors else 200
    return render_template("population/upload.html", form=form, margins=population_margins()), status
