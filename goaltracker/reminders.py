"""Email reminders that reviews are due: they name no child, only ask the key worker to sign in.

Their words follow the language of the request that sends them; from the command line (the
scheduled job) there is none, so they are in English."""

from datetime import date

from flask import url_for
from flask_babel import gettext
from sqlalchemy import select

from goaltracker import mail, records, scoring
from goaltracker.extensions import db
from goaltracker.models import User


def send_review_reminders(today: date) -> tuple[int, int]:
    """Email each practitioner who asked for reminders and has reviews due.

    Returns how many were sent and how many could not be (logged; running it again retries).
    """
    sent = failed = 0
    practitioners = db.session.scalars(
        select(User).where(
            User.role == "practitioner", User.active.is_(True), User.email_reminders.is_(True)
        )
    )
    for practitioner in practitioners:
        counts = records.caseload(practitioner, today=today, per_page=1).counts
        due = counts.get(scoring.OVERDUE, 0) + counts.get(scoring.DUE_SOON, 0)
        if not due:
            continue
        if mail.send_or_log(
            practitioner.email,
            gettext("Goal Tracker: reviews need your attention"),
            gettext("Some reviews on your caseload are due or overdue.")
            + "\n\n"
            + gettext(
                "Sign in to see them: %(link)s", link=url_for("practitioner.home", _external=True)
            )
            + "\n",
        ):
            sent += 1
        else:
            failed += 1
    return sent, failed
