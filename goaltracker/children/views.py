"""A child's record, seen by the family and by the practitioners the family allows."""

import json
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from goaltracker import (
    audit,
    charts,
    child_details,
    child_rating,
    consent,
    downloads,
    fhir,
    goals,
    policy,
    records,
    review_summary,
    scoring,
    vocabulary,
)
from goaltracker.children.forms import (
    ChildDetailsForm,
    ChildGoalRatingForm,
    ChildRatingSaveForm,
    ChildRatingStartForm,
    EditGoalForm,
    GoalForm,
    NoteForm,
    RemoveFamilyMemberForm,
    StatusForm,
    review_form,
)
from goaltracker.extensions import db
from goaltracker.models import FamilyLink, Goal, User, utcnow
from goaltracker.practitioner.forms import AskConsentForm

blueprint = Blueprint("children", __name__, url_prefix="/children")


def goal_or_abort(child_id: int, goal_id: int):
    """Return the child (if the user may see it) and its goal, or 404/403."""
    child = policy.child_or_abort(child_id)
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.child_id != child.id:
        abort(404)
    return child, goal


def show_goal_error(form, error: goals.GoalError) -> None:
    """Attach a rule's message to the form field it concerns, or to the form as a whole."""
    field = getattr(form, error.field_name, None) if error.field_name else None
    if field is None or not hasattr(field, "errors"):
        field = next(iter(form))
    if not isinstance(field.errors, list):
        field.errors = list(field.errors)
    field.errors.append(str(error))


def save_review(child, replace_field, **review):
    """Record one rater's ratings and commit them.

    Return (saved, earlier, error): when that day already holds ratings that would be replaced,
    `earlier` says who recorded them (and the form's hidden field now confirms replacing);
    when a rule refuses the review, `error` says why. Nothing is written unless `saved`.
    """
    try:
        result = goals.record_review(
            child,
            recorded_by=current_user,
            replace_same_day=replace_field.data == "yes",
            **review,
        )
    except goals.GoalError as error:
        db.session.rollback()
        return False, None, error
    if result.needs_confirmation:
        db.session.rollback()
        replace_field.data = "yes"
        return False, list(result.earlier), None
    db.session.commit()
    return True, None, None


def commit_goal_change(form, change) -> bool:
    """Make a change to a goal and commit it; on a refused or stale change, tell the form why."""
    try:
        change()
        db.session.commit()
    except goals.GoalError as error:
        db.session.rollback()
        show_goal_error(form, error)
    except StaleDataError:
        db.session.rollback()
        show_goal_error(form, goals.GoalError(goals.CHANGED_MEANWHILE, "version"))
    else:
        return True
    return False


@blueprint.route("/<int:child_id>")
@policy.role_required(*policy.CHILD_TEAM)
def show(child_id: int):
    """Show every goal of the child with its progress, the reviews and the notes."""
    child = policy.child_or_abort(child_id)
    audit.record_now("child_record_viewed", child=child)
    last_rated = goals.last_rated_on(child)
    interval = child.area.review_interval_days
    sharing = consent.sharing(child)
    ask_form = None
    if policy.is_lead_practitioner(current_user, child):
        ask_form = AskConsentForm()
        ask_form.offer(sharing)
    return render_template(
        "children/show.html",
        child=child,
        summary=goals.child_summary(child),
        reviews=goals.reviews(child),
        notes=goals.notes(child),
        note_form=NoteForm(),
        limit_reached=goals.goal_limit_reached(child),
        review_status=scoring.review_status(last_rated, date.today(), interval),
        review_due_on=scoring.review_due_on(last_rated, interval),
        sharing=sharing,
        ask_form=ask_form,
        need_history=child_details.need_history(child),
        plan_history=child_details.plan_history(child),
        today=date.today(),
        family=records.family_members(child),
        could_take_over=child.handed_over_at is None
        and child.date_of_birth is not None
        and scoring.age_on(child.date_of_birth, date.today()) >= 16,
    )


@blueprint.route("/<int:child_id>/details", methods=["GET", "POST"])
@policy.role_required(*policy.KEY_WORKER_CHANGERS)
def edit_details(child_id: int):
    """Change a child's details: name, reference, date of birth, need and EHC plan."""
    child = policy.child_or_abort(child_id, policy.can_edit_details)
    form = ChildDetailsForm(
        obj=child,
        ehcp="yes" if child.ehcp else "no",
        changed_on=date.today(),
    )
    if request.method == "GET":
        audit.record_now("child_details_viewed", child=child)
    if form.validate_on_submit():
        need_or_plan = (form.primary_need.data, form.ehcp.data == "yes") != (
            child.primary_need,
            bool(child.ehcp),
        )
        correction = form.change.data == "correction"
        if need_or_plan and not correction and form.changed_on.data is None:
            form.changed_on.errors.append(gettext("Enter the date the need or EHC plan changed"))
        else:
            try:
                changed = child_details.change_details(
                    child,
                    first_name=form.first_name.data,
                    last_name=form.last_name.data or "",
                    reference=form.reference.data,
                    date_of_birth=form.date_of_birth.data,
                    primary_need=form.primary_need.data,
                    ehcp=form.ehcp.data == "yes",
                    changed_on=None if correction else form.changed_on.data,
                    changed_by=current_user,
                )
            except child_details.DetailsError as error:
                db.session.rollback()
                field = form._fields.get(error.field_name or "", form.changed_on)
                field.errors.append(str(error))
            else:
                db.session.commit()
                flash(
                    gettext("Details saved.") if changed else gettext("Nothing was changed."),
                    "success",
                )
                if current_user.role == "admin":
                    return redirect(url_for("admin.children", area=child.area_id))
                return redirect(url_for("children.show", child_id=child.id))
    return render_template(
        "children/edit_details.html",
        child=child,
        form=form,
        need_history=child_details.need_history(child),
        plan_history=child_details.plan_history(child),
    )


@blueprint.route("/<int:child_id>/family/<int:user_id>/remove", methods=["GET", "POST"])
@policy.role_required(*policy.KEY_WORKER_CHANGERS)
def remove_family_member(child_id: int, user_id: int):
    """Take away a family member's access to the record, with a reason; it ends at once."""
    child = policy.child_or_abort(child_id, policy.can_manage_family_access)
    member = db.session.get(User, user_id)
    if member is None or db.session.get(FamilyLink, (user_id, child.id)) is None:
        abort(404)
    form = RemoveFamilyMemberForm()
    if form.validate_on_submit():
        someone_left = records.remove_family_member(child, member, form.reason.data, current_user)
        db.session.commit()
        flash(
            gettext(
                "%(member)s can no longer see %(name)s's record.",
                member=member.name,
                name=child.display_name,
            )
            if someone_left
            else gettext(
                "%(member)s can no longer see %(name)s's record. Nobody in the family can see it "
                "now, until someone is invited.",
                member=member.name,
                name=child.display_name,
            ),
            "success",
        )
        return redirect(url_for("children.show", child_id=child.id) + "#family")
    last = len([m for m in records.family_members(child) if not m.invited]) == 1
    return render_template(
        "children/remove_family_member.html", child=child, member=member, form=form, last=last
    )


@blueprint.route("/<int:child_id>/summary")
@policy.role_required(*policy.CHILD_TEAM)
def summary(child_id: int):
    """Show the one-page summary for a review meeting, ready to print."""
    child = policy.child_or_abort(child_id)
    audit.record_now("summary_viewed", child=child)
    return render_template(
        "children/summary.html", child=child, summary=review_summary.build(child, date.today())
    )


@blueprint.route("/<int:child_id>/summary.pdf")
@policy.role_required(*policy.CHILD_TEAM)
def summary_pdf(child_id: int):
    """Download the review meeting summary as a PDF."""
    child = policy.child_or_abort(child_id)
    summary = review_summary.build(child, date.today())
    try:
        content = review_summary.to_pdf(summary)
    except review_summary.PdfUnavailable:
        current_app.logger.exception("Could not draw the review summary PDF")
        flash(
            gettext("The PDF cannot be made on this server just now. Print this page instead."),
            "info",
        )
        return render_template("children/summary.html", child=child, summary=summary), 503
    audit.record_now("summary_downloaded", child=child)
    return downloads.download(
        content,
        "application/pdf",
        "goals",
        child.reference,
        date.today().isoformat(),
        extension="pdf",
    )


@blueprint.route("/<int:child_id>/goals.fhir.json")
@policy.role_required(*policy.CHILD_TEAM)
def goals_fhir(child_id: int):
    """Download the child's goals and ratings as FHIR, for a health record."""
    child = policy.child_or_abort(child_id)
    audit.record_now("record_downloaded", child=child, detail={"format": "fhir"})
    bundle = fhir.child_bundle(child, current_app.config["PUBLIC_URL"], utcnow())
    return downloads.download(
        json.dumps(bundle, indent=2, ensure_ascii=False),
        fhir.MEDIA_TYPE,
        "goals",
        child.reference,
        date.today().isoformat(),
        extension="fhir.json",
    )


@blueprint.route("/<int:child_id>/goals/new", methods=["GET", "POST"])
@policy.role_required(*policy.CHILD_TEAM)
def new_goal(child_id: int):
    """Set a goal with the family, in their words, guided by everyday activities."""
    child = policy.child_or_abort(child_id)
    form = GoalForm()
    form.set_outcome_choices(goals.outcomes_for_goals(child))
    if request.method == "GET":
        form.set_on.data = date.today()
    limit_reached = goals.goal_limit_reached(child)
    if form.validate_on_submit():
        try:
            goal = goals.set_goal(
                child,
                text=form.text.data,
                occupation_area=form.occupation_area.data,
                importance=int(form.importance.data),
                set_on=form.set_on.data,
                set_by=current_user,
                outcome_ids=[int(value) for value in form.outcomes.data or []],
            )
        except goals.GoalError as error:
            db.session.rollback()
            show_goal_error(form, error)
        else:
            db.session.commit()
            flash(gettext("Goal saved: “%(goal)s”", goal=goal.text), "success")
            if "add_another" in request.form and not goals.goal_limit_reached(child):
                return redirect(url_for("children.new_goal", child_id=child.id))
            return redirect(url_for("children.show", child_id=child.id))
    return render_template(
        "children/new_goal.html",
        child=child,
        form=form,
        limit_reached=limit_reached,
        limit_message=goals.limit_message(child),
        active_count=goals.active_goal_count(child),
    )


@blueprint.route("/<int:child_id>/goals/<int:goal_id>")
@policy.role_required(*policy.CHILD_TEAM)
def goal(child_id: int, goal_id: int):
    """Show one goal with its ratings over time, as a chart and as a table."""
    child, goal = goal_or_abort(child_id, goal_id)
    progress = goals.goal_progress(goal)
    audit.record_now("goal_viewed", child=child, detail={"goal_id": goal.id})
    return render_template(
        "children/goal.html",
        child=child,
        goal=goal,
        progress=progress,
        charts=charts.progress_charts(progress.ratings),
    )


@blueprint.route("/<int:child_id>/goals/<int:goal_id>/edit", methods=["GET", "POST"])
@policy.role_required(*policy.CHILD_TEAM)
def edit_goal(child_id: int, goal_id: int):
    """Change a goal's words, importance or outcomes; earlier wording is kept."""
    child, goal = goal_or_abort(child_id, goal_id)
    form = EditGoalForm(obj=None if request.method == "POST" else goal)
    form.set_outcome_choices(goals.outcomes_for_goals(child))
    if request.method == "GET":
        audit.record_now("goal_form_viewed", child=child, detail={"goal_id": goal.id})
        if not g.get("restored_form"):
            form.importance.data = str(goal.importance)
            form.outcomes.data = [str(outcome.id) for outcome in goal.outcomes]
    if form.validate_on_submit() and commit_goal_change(
        form,
        lambda: goals.edit_goal(
            goal,
            text=form.text.data,
            importance=int(form.importance.data),
            outcome_ids=[int(value) for value in form.outcomes.data or []],
            changed_by=current_user,
            expected_version=form.version.data,
        ),
    ):
        flash(gettext("Goal updated."), "success")
        return redirect(url_for("children.goal", child_id=child.id, goal_id=goal.id))
    return render_template("children/edit_goal.html", child=child, goal=goal, form=form)


@blueprint.route("/<int:child_id>/goals/<int:goal_id>/status", methods=["GET", "POST"])
@policy.role_required(*policy.CHILD_TEAM)
def goal_status(child_id: int, goal_id: int):
    """Mark a goal achieved or stopped, or work on it again; ratings are always kept."""
    child, goal = goal_or_abort(child_id, goal_id)
    form = StatusForm()
    if request.method == "GET":
        audit.record_now("goal_status_form_viewed", child=child, detail={"goal_id": goal.id})
    if request.method == "GET" and not g.get("restored_form"):
        form.status.data = goal.status
        form.closed_on.data = goal.closed_on
        form.version.data = goal.version
    if form.validate_on_submit() and commit_goal_change(
        form,
        lambda: goals.change_status(
            goal,
            form.status.data,
            on=form.closed_on.data,
            changed_by=current_user,
            expected_version=form.version.data,
        ),
    ):
        flash(
            gettext(
                "Goal marked as %(status)s.",
                status=gettext(vocabulary.GOAL_STATUS_LABELS[goal.status]).lower(),
            ),
            "success",
        )
        return redirect(url_for("children.goal", child_id=child.id, goal_id=goal.id))
    return render_template("children/goal_status.html", child=child, goal=goal, form=form)


@blueprint.route("/<int:child_id>/review", methods=["GET", "POST"])
@policy.role_required(*policy.CHILD_TEAM)
def new_review(child_id: int):
    """Rate the child's active goals: one rater, one day, without showing earlier scores."""
    child = policy.child_or_abort(child_id)
    if request.method == "GET":
        audit.record_now("review_form_viewed", child=child)
    active = goals.active_goals(child)
    form = review_form(active)
    if request.method == "GET":
        rater = request.args.get("rater")
        form.rater.data = rater if rater in vocabulary.RATERS else None
        form.assessed_on.data = date.today()
    confirm_replace, earlier = False, []
    if active and form.validate_on_submit():
        saved, earlier, error = save_review(
            child,
            form.replace_same_day,
            rater=form.rater.data,
            assessed_on=form.assessed_on.data,
            scores=form.scores(),
            note=form.note.data or "",
        )
        confirm_replace = earlier is not None
        if error is not None:
            show_goal_error(form, error)
        if saved:
            return redirect(
                url_for(
                    "children.show_review",
                    child_id=child.id,
                    rater=form.rater.data,
                    assessed_on=form.assessed_on.data.isoformat(),
                )
            )
    return render_template(
        "children/new_review.html",
        child=child,
        form=form,
        active=active,
        confirm_replace=confirm_replace,
        earlier=earlier,
        suggest_parent=scoring.suggest_parent_rating(child.date_of_birth, date.today()),
        performance_scale=vocabulary.PERFORMANCE_SCALE,
        satisfaction_scale=vocabulary.SATISFACTION_SCALE,
    )


@blueprint.route("/<int:child_id>/my-rating", methods=["GET", "POST"])
@policy.role_required(*policy.CHILD_TEAM)
def child_rating_start(child_id: int):
    """Start the child's own rating: what will happen, and the day (today unless changed)."""
    child = policy.child_or_abort(child_id)
    active = goals.active_goals(child)
    form = ChildRatingStartForm()
    if request.method == "GET":
        audit.record_now("review_form_viewed", child=child)
        form.assessed_on.data = date.today()
    if active and form.validate_on_submit():
        child_rating.start(session, child.id, form.assessed_on.data)
        return redirect(url_for("children.child_rating_goal", child_id=child.id, step=1))
    return render_template(
        "children/child_rating_start.html", child=child, form=form, active=active
    )


@blueprint.route("/<int:child_id>/my-rating/<int:step>", methods=["GET", "POST"])
@policy.role_required(*policy.CHILD_TEAM)
def child_rating_goal(child_id: int, step: int):
    """One goal on one screen: how well it goes, and how happy the child is with that."""
    child = policy.child_or_abort(child_id)
    active = goals.active_goals(child)
    rating = child_rating.load(session, child.id)
    if rating is None or not active:
        return redirect(url_for("children.child_rating_start", child_id=child.id))
    if step > len(active):
        return redirect(url_for("children.child_rating_save", child_id=child.id))
    goal = active[step - 1]
    form = ChildGoalRatingForm()
    if request.method == "GET" and rating.answers.get(goal.id):
        form.performance.data, form.satisfaction.data = map(str, rating.answers[goal.id])
    if form.validate_on_submit():
        rating.answers[goal.id] = form.scores()
        child_rating.save(session, rating)
        if step == len(active):
            return redirect(url_for("children.child_rating_save", child_id=child.id))
        return redirect(url_for("children.child_rating_goal", child_id=child.id, step=step + 1))
    return render_template(
        "children/child_rating_goal.html",
        child=child,
        goal=goal,
        form=form,
        step=step,
        steps=len(active),
        words=vocabulary.CHILD_SCALE_WORDS,
    )


@blueprint.route("/<int:child_id>/my-rating/save", methods=["GET", "POST"])
@policy.role_required(*policy.CHILD_TEAM)
def child_rating_save(child_id: int):
    """Save the child's answers together, asking first before replacing that day's ratings."""
    child = policy.child_or_abort(child_id)
    rating = child_rating.load(session, child.id)
    if rating is None:
        return redirect(url_for("children.child_rating_start", child_id=child.id))
    active = goals.active_goals(child)
    form = ChildRatingSaveForm()
    confirm_replace, earlier, problem = False, [], None
    if form.validate_on_submit() and rating.scores():
        saved, earlier, error = save_review(
            child,
            form.replace_same_day,
            rater="child",
            assessed_on=rating.day,
            scores=rating.scores(),
        )
        confirm_replace, problem = earlier is not None, error and str(error)
        if saved:
            child_rating.clear(session)
            return redirect(
                url_for(
                    "children.child_rating_done",
                    child_id=child.id,
                    assessed_on=rating.day.isoformat(),
                )
            )
    return render_template(
        "children/child_rating_save.html",
        child=child,
        form=form,
        rating=rating,
        active=active,
        confirm_replace=confirm_replace,
        earlier=earlier,
        problem=problem,
    )


@blueprint.route("/<int:child_id>/my-rating/done/<assessed_on>")
@policy.role_required(*policy.CHILD_TEAM)
def child_rating_done(child_id: int, assessed_on: str):
    """The picture of then and now, shown only once the ratings are saved."""
    child = policy.child_or_abort(child_id)
    try:
        day = date.fromisoformat(assessed_on)
    except ValueError:
        abort(404)
    pictures = child_rating.then_and_now(child, day)
    if not pictures:
        abort(404)
    audit.record_now("review_viewed", child=child, detail={"rater": "child", "day": assessed_on})
    return render_template(
        "children/child_rating_done.html", child=child, pictures=pictures, day=day
    )


@blueprint.route("/<int:child_id>/reviews/<rater>/<assessed_on>")
@policy.role_required(*policy.CHILD_TEAM)
def show_review(child_id: int, rater: str, assessed_on: str):
    """Show a review's totals and, after rating, how each goal compares with before."""
    child = policy.child_or_abort(child_id)
    try:
        day = date.fromisoformat(assessed_on)
    except ValueError:
        abort(404)
    if rater not in vocabulary.RATERS:
        abort(404)
    result = goals.review(child, rater, day)
    if result is None:
        abort(404)
    audit.record_now("review_viewed", child=child, detail={"rater": rater, "on": assessed_on})
    return render_template("children/review.html", child=child, review=result)


@blueprint.route("/<int:child_id>/notes", methods=["GET", "POST"])
@policy.role_required(*policy.CHILD_TEAM)
def add_note(child_id: int):
    """Add a note to the child's record (the form is also on the record's page)."""
    child = policy.child_or_abort(child_id)
    form = NoteForm()
    if form.validate_on_submit():
        goals.add_note(child, form.body.data, current_user)
        db.session.commit()
        flash(gettext("Note added."), "success")
        return redirect(url_for("children.show", child_id=child.id) + "#notes")
    return render_template("children/add_note.html", child=child, form=form), 200
