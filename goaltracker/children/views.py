"""A child's record, seen by the family and by the practitioners the family allows."""

from flask import Blueprint, abort, render_template

from goaltracker import audit, goals, policy
from goaltracker.extensions import db
from goaltracker.models import Goal

blueprint = Blueprint("children", __name__, url_prefix="/children")


@blueprint.route("/<int:child_id>")
@policy.role_required("family", "practitioner")
def show(child_id: int):
    """Show every goal of the child with its progress."""
    child = policy.child_or_abort(child_id)
    summary = goals.child_summary(child)
    audit.record_now("child_record_viewed", child=child)
    return render_template("children/show.html", child=child, summary=summary)


@blueprint.route("/<int:child_id>/goals/<int:goal_id>")
@policy.role_required("family", "practitioner")
def goal(child_id: int, goal_id: int):
    """Show one goal with its ratings over time."""
    child = policy.child_or_abort(child_id)
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.child_id != child.id:
        abort(404)
    progress = goals.goal_progress(goal)
    audit.record_now("goal_viewed", child=child, detail={"goal_id": goal.id})
    return render_template("children/goal.html", child=child, goal=goal, progress=progress)
