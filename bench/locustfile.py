"""Simulated people for the load test: families at home, on a goal page and rating; managers on
the dashboard; and a check of /healthz alone, for the tool's own figure on a trivial page.

bench.load writes the accounts to the JSON file named by BENCH_LOAD_USERS.
"""

import json
import os
import random
import re
from datetime import date
from pathlib import Path

from locust import HttpUser, between, constant, task

ACCOUNTS = json.loads(Path(os.environ["BENCH_LOAD_USERS"]).read_text())
CSRF_TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')
# People pause between pages; the same pause for every kind of user keeps the figures comparable.
# BENCH_NO_PAUSE=1 measures capacity instead: every user asks again as soon as answered.
PAUSE = constant(0) if os.environ.get("BENCH_NO_PAUSE") == "1" else between(0.5, 2)


def csrf_token(html: str) -> str:
    """Return the CSRF token of the form on a page, as a browser would send it back."""
    found = CSRF_TOKEN.search(html)
    if found is None:
        raise ValueError("The page has no CSRF token")
    return VALUE.search(found.group(0)).group(1)


class SignedInUser(HttpUser):
    """Someone who signs in through the real form, with its CSRF token, before anything else."""

    abstract = True
    wait_time = PAUSE

    def sign_in(self, email: str) -> None:
        """Fetch the sign-in form and post the account's email and password."""
        page = self.client.get("/sign-in", name="sign-in form")
        with self.client.post(
            "/sign-in",
            data={
                "csrf_token": csrf_token(page.text),
                "email": email,
                "password": ACCOUNTS["password"],
            },
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")


class FamilyUser(SignedInUser):
    """A parent or carer looking at their child's goals and rating them."""

    weight = 9

    def on_start(self) -> None:
        """Sign in as one of the benchmark's family accounts."""
        self.account = random.choice(ACCOUNTS["families"])  # noqa: S311  (load, not security)
        self.sign_in(self.account["email"])

    @task(6)
    def home(self) -> None:
        """Open the family's home page: every goal of the child at a glance."""
        self.client.get("/family/", name="family home")

    @task(3)
    def goal(self) -> None:
        """Open one goal's page with its chart."""
        goal_id = random.choice(self.account["goal_ids"])  # noqa: S311
        self.client.get(f"/children/{self.account['child_id']}/goals/{goal_id}", name="goal page")

    @task(1)
    def rate(self) -> None:
        """Fetch the review form and submit ratings of every active goal."""
        child_id = self.account["child_id"]
        page = self.client.get(f"/children/{child_id}/review", name="review form")
        goal_ids = [int(goal_id) for goal_id in re.findall(r'name="performance_(\d+)"', page.text)]
        if not goal_ids:
            return
        # Reviews are dated the day they are typed in, after every seeded rating, so the load
        # test never corrects seeded data and the tier can be reused afterwards.
        assessed_on = date.today()
        data = [
            ("csrf_token", csrf_token(page.text)),
            ("rater", "parent_carer"),
            ("assessed_on", str(assessed_on.day)),
            ("assessed_on", str(assessed_on.month)),
            ("assessed_on", str(assessed_on.year)),
            ("note", ""),
            # Rating again on the same day corrects that day's rating: still a write, not refused.
            ("replace_same_day", "yes"),
        ]
        for goal_id in set(goal_ids):
            data.append((f"performance_{goal_id}", str(random.randint(1, 10))))  # noqa: S311
            data.append((f"satisfaction_{goal_id}", str(random.randint(1, 10))))  # noqa: S311
        with self.client.post(
            f"/children/{child_id}/review",
            data=data,
            name="review submit",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"the review was not saved ({response.status_code})")


class ManagerUser(SignedInUser):
    """A commissioner looking at the outcomes dashboard."""

    weight = 1

    def on_start(self) -> None:
        """Sign in as the area's manager."""
        self.sign_in(ACCOUNTS["manager"])

    @task
    def dashboard(self) -> None:
        """Open the outcomes dashboard: the report as at the last quarter end."""
        self.client.get("/manager/", name="manager dashboard")


class HealthUser(HttpUser):
    """Nobody in particular: the health check alone, the cheapest page there is."""

    wait_time = PAUSE

    @task
    def health(self) -> None:
        """Ask whether the app and its database answer."""
        self.client.get("/healthz", name="healthz")
