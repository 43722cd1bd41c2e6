"""Setting goals with a family step by step (GOV.UK task list and check answers patterns)."""

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from goaltracker import audit, goal_setting, goals, policy, vocabulary
from goaltracker.children.forms import (
    ChooseGoalsForm,
    IdeaForm,
    SaveGoalsForm,
    goal_outcomes_form,
)
from goaltracker.children.views import blueprint, show_goal_error
from goaltracker.extensions import db
from goaltracker.forms import Form, choice_list
from goaltracker.vocabulary import N_


def _child_and_draft(child_id: int):
    """Return the child (if the person may see them) and the person's draft of their goals."""
    child = policy.child_or_abort(child_id)
    return child, goal_setting.load(child, current_user)


def _to_task_list(child):
    return redirect(url_for("children.set_goals", child_id=child.id))


# How each status of a step shows on the task list (its words translated when it is shown).
STATUS_SHOWN = {
    goal_setting.NOT_STARTED: {
        "tag": {"text": N_("Not yet started"), "classes": "govuk-tag--blue"}
    },
    goal_setting.COMPLETED: {"text": N_("Completed")},
    goal_setting.CANNOT_START: {
        "text": N_("Cannot start yet"),
        "classes": "govuk-task-list__status--cannot-start-yet",
    },
}
STEPS = (
    ("write", N_("Write the goals"), "children.write_goals"),
    ("choose", N_("Choose the ones that matter most"), "children.choose_goals"),
    ("outcomes", N_("Link them to the area's outcomes"), "children.goal_outcomes"),
    ("check", N_("Check and save the goals"), "children.check_goals"),
)


def _status_shown(status: str) -> dict:
    """Return how a step's status shows, in the page's language."""
    shown = dict(STATUS_SHOWN[status])
    if "tag" in shown:
        shown["tag"] = {**shown["tag"], "text": gettext(shown["tag"]["text"])}
    else:
        shown["text"] = gettext(shown["text"])
    return shown


def task_list(child, draft) -> list[dict]:
    """Return the steps as GOV.UK task list items: a link once a step can start."""
    statuses = goal_setting.task_statuses(draft)
    items = []
    for key, title, endpoint in STEPS:
        item = {"title": {"text": gettext(title)}, "status": _status_shown(statuses[key])}
        if statuses[key] != goal_setting.CANNOT_START:
            item["href"] = url_for(endpoint, child_id=child.id)
        if key == "write":
            count = len(draft.ideas)
            item["hint"] = {
                "text": ngettext("%(num)d written so far", "%(num)d written so far", count)
                if count
                else gettext(
                    "Everyday activities, in the family's own words, and how much each matters"
                )
            }
        items.append(item)
    return items


@blueprint.route("/<int:child_id>/set-goals")
@policy.role_required(*policy.CHILD_TEAM)
def set_goals(child_id: int):
    """The task list: write the goals, choose the ones that matter most, link, check and save."""
    child, draft = _child_and_draft(child_id)
    return render_template(
        "children/set_goals.html",
        child=child,
        draft=draft,
        tasks=task_list(child, draft),
        places=goal_setting.places_left(child),
        discard_form=Form(),
    )


@blueprint.route("/<int:child_id>/set-goals/write", methods=["GET", "POST"])
@policy.role_required(*policy.CHILD_TEAM)
def write_goals(child_id: int):
    """Write goal ideas one at a time, prompted by everyday activities."""
    child, draft = _child_and_draft(child_id)
    form = IdeaForm()
    if form.validate_on_submit():
        try:
            goal_setting.add_idea(
                draft, form.sub_area.data, form.text.data, int(form.importance.data)
            )
        except goals.GoalError as error:
            show_goal_error(form, error)
        else:
            goal_setting.save(child, current_user, draft)
            db.session.commit()
            flash(gettext("Goal added: “%(goal)s”.", goal=draft.ideas[-1].text), "success")
            return redirect(url_for("children.write_goals", child_id=child.id))
    return render_template(
        "children/write_goals.html",
        child=child,
        draft=draft,
        form=form,
        remove_form=Form(),
        prompts=vocabulary.GOAL_PROMPTS,
        most=goal_setting.MOST_IDEAS,
    )


@blueprint.route("/<int:child_id>/set-goals/ideas/<int:key>/remove", methods=["POST"])
@policy.role_required(*policy.CHILD_TEAM)
def remove_goal_idea(child_id: int, key: int):
    """Take an idea out of the draft."""
    child, draft = _child_and_draft(child_id)
    if Form().validate_on_submit() and draft.idea(key):
        goal_setting.remove_idea(draft, key)
        goal_setting.save(child, current_user, draft)
        db.session.commit()
        flash(gettext("Goal idea removed."), "success")
    return redirect(url_for("children.write_goals", child_id=child.id))


@blueprint.route("/<int:child_id>/set-goals/choose", methods=["GET", "POST"])
@policy.role_required(*policy.CHILD_TEAM)
def choose_goals(child_id: int):
    """Choose the ideas that matter most, up to the places left under the area's limit."""
    child, draft = _child_and_draft(child_id)
    if not draft.ideas:
        return _to_task_list(child)
    places = goal_setting.places_left(child)
    form = ChooseGoalsForm()
    form.chosen.choices = choice_list(
        (
            idea.key,
            gettext(
                "%(goal)s (importance %(importance)s out of 10)",
                goal=idea.text,
                importance=idea.importance,
            ),
        )
        for idea in draft.ideas_by_importance()
    )
    if request.method == "GET":
        form.chosen.data = [str(key) for key in draft.chosen]
    if form.validate_on_submit():
        try:
            goal_setting.choose(draft, [int(key) for key in form.chosen.data or []], places)
        except goals.GoalError as error:
            show_goal_error(form, error)
        else:
            goal_setting.save(child, current_user, draft)
            db.session.commit()
            return redirect(url_for("children.goal_outcomes", child_id=child.id))
    return render_template(
        "children/choose_goals.html", child=child, form=form, places=places, draft=draft
    )


@blueprint.route("/<int:child_id>/set-goals/outcomes", methods=["GET", "POST"])
@policy.role_required(*policy.CHILD_TEAM)
def goal_outcomes(child_id: int):
    """Link each chosen goal to the area's outcomes, from their plain descriptions."""
    child, draft = _child_and_draft(child_id)
    if not draft.chosen:
        return _to_task_list(child)
    outcomes = goals.outcomes_for_goals(child)
    form = goal_outcomes_form(draft.chosen_ideas(), outcomes)
    if request.method == "GET":
        for idea, field in form.goal_fields:
            field.data = [str(value) for value in draft.outcomes.get(idea.key, [])]
    if form.validate_on_submit():
        goal_setting.link_outcomes(
            draft,
            {
                idea.key: [int(value) for value in field.data or []]
                for idea, field in form.goal_fields
            },
            {outcome.id for outcome in outcomes},
        )
        goal_setting.save(child, current_user, draft)
        db.session.commit()
        return redirect(url_for("children.check_goals", child_id=child.id))
    return render_template("children/goal_outcomes.html", child=child, form=form)


@blueprint.route("/<int:child_id>/set-goals/check", methods=["GET", "POST"])
@policy.role_required(*policy.CHILD_TEAM)
def check_goals(child_id: int):
    """Check the goals before saving them all together."""
    child, draft = _child_and_draft(child_id)
    if not draft.chosen:
        return _to_task_list(child)
    form = SaveGoalsForm()
    if request.method == "GET":
        audit.record_now("goals_being_set_viewed", child=child)
    if form.validate_on_submit():
        try:
            saved = goal_setting.save_goals(child, draft, current_user, date.today())
        except goals.GoalError as error:
            db.session.rollback()
            form.submit.errors = [str(error)]
        else:
            db.session.commit()
            flash(
                ngettext(
                    "%(num)d goal saved for %(name)s.",
                    "%(num)d goals saved for %(name)s.",
                    len(saved),
                    name=child.display_name,
                ),
                "success",
            )
            return redirect(url_for("children.show", child_id=child.id))
    titles = {outcome.id: outcome.title for outcome in goals.outcomes_for_goals(child)}
    return render_template(
        "children/check_goals.html", child=child, draft=draft, form=form, titles=titles
    )


@blueprint.route("/<int:child_id>/set-goals/discard", methods=["POST"])
@policy.role_required(*policy.CHILD_TEAM)
def discard_goals(child_id: int):
    """Forget the goals being set, and start again."""
    child = policy.child_or_abort(child_id)
    if Form().validate_on_submit():
        goal_setting.discard(child, current_user)
        db.session.commit()
        flash(gettext("The goals you were setting have been cleared."), "success")
    return _to_task_list(child)
