"""Writing a file's new children while the rest of the file is still being checked.

On PostgreSQL most of a large import's time is the server's: adding each row to the tables'
indexes and checking its foreign keys. That work need not wait until the whole file has been
checked. While the file is read, the first rating of each goal of a child the area does not hold
yet comes here; every few thousand ratings, a second thread writes the new children, goals,
outcome links and ratings, inside a savepoint, and the server works on them on its own core
while Python reads on. The second thread has the session's connection to itself until `finish`:
the first only reads the file and works out the plan meanwhile.

What an import does is unchanged. When the file is checked and the plan made, `finish`
- rolls the savepoint back when the file has any error, so nothing was written;
- otherwise compares what was written ahead with the plan's rows for new children. When they
  are the same, it takes those rows out of the plan, which then writes only the rest (changes to
  children the area held). When they differ in any way, or the thread failed, it rolls the
  savepoint back and the plan is written in full, as it would have been without this.
"""

import queue
import sys
import threading
from typing import Any

from sqlalchemy.orm import Session

from goaltracker.importing.write import Plan, Written, write

# Ratings a batch holds. Each statement costs a few round trips, so batches are large; the
# last, the one the import waits for once the file is read, is a fifth of a second's work.
BATCH = 10_000
# How often, in seconds, Python lets the other thread run while one computes (normally 5 ms).
# Each round trip of the writer waits for the reader to let go; at 5 ms the waits cost more
# than the overlap gains.
SWITCH_INTERVAL = 0.0001
_DONE = object()


class WriteAhead:
    """The rows of a file's new children, written by a second thread as the file is read."""

    def __init__(self, session: Session, area_id: int, written: Written):
        """Open a savepoint and start the thread that writes each batch given to it."""
        self._savepoint = session.begin_nested()
        self._connection = session.connection()
        self._area_id = area_id
        self._written = written
        # Everything passed so far, in the plan's shapes, to compare with the plan at the end.
        self.children: dict[str, dict] = {}
        self.organisation_of_child: dict[str, int | str] = {}
        self.new_organisations: dict[str, str] = {}
        self.goals: dict[tuple[str, str], dict] = {}
        self.outcome_links: dict[tuple[str, str], frozenset[int]] = {}
        self.ratings: list[tuple] = []
        self._batch = Plan()
        # What the thread wrote: ids by the file's keys, and the first error it met.
        self._organisation_ids: dict[str, int] = {}
        self._child_ids: dict[str, int] = {}
        self._goal_ids: dict[tuple[str, str], int] = {}
        self.failure: BaseException | None = None
        self._finished = False
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="import-write-ahead", daemon=True)
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, SWITCH_INTERVAL))
        self._thread.start()

    def add_child(self, reference: str, wanted: dict, organisation: int | str, name: str) -> None:
        """Pass a new child: its details, and its organisation's id (or key, with its name)."""
        row = {"reference": reference, **wanted}
        self.children[reference] = row
        self.organisation_of_child[reference] = organisation
        self._batch.new_children.append(row)
        self._batch.organisation_of_child[reference] = organisation
        if isinstance(organisation, str) and organisation not in self.new_organisations:
            self.new_organisations[organisation] = name
            self._batch.new_organisations[organisation] = name

    def add_goal(self, key: tuple[str, str], wanted: dict, outcome_ids: frozenset[int]) -> None:
        """Pass a new child's goal, by (child, goal) reference, with its outcome ids."""
        row = {"child_ref": key[0], "reference": key[1], **wanted}
        self.goals[key] = row
        self.outcome_links[key] = outcome_ids
        self._batch.new_goals.append(row)
        self._batch.outcome_links[key] = outcome_ids

    def add_rating(self, rating: tuple) -> None:
        """Pass a rating of a new child's goal, as the plan holds it; send a full batch."""
        self.ratings.append(rating)
        self._batch.new_ratings.append(rating)
        if len(self._batch.new_ratings) >= BATCH:
            self._send()

    def _send(self) -> None:
        """Give the batch gathered so far to the thread."""
        if self._batch.new_ratings or self._batch.new_children:
            self._queue.put(self._batch)
            self._batch = Plan()

    def _run(self) -> None:
        """Write each batch in turn until told to stop; after an error, write no more."""
        while (batch := self._queue.get()) is not _DONE:
            if self.failure is None:
                try:
                    self._write(batch)
                except BaseException as error:  # noqa: BLE001 - given to the first thread
                    self.failure = error

    def _write(self, batch: Plan) -> None:
        """Write one batch, its goals and ratings pointing at records of earlier batches too."""
        for reference, organisation in batch.organisation_of_child.items():
            if isinstance(organisation, str) and organisation in self._organisation_ids:
                batch.organisation_of_child[reference] = self._organisation_ids[organisation]
        # Only the ids this batch needs, so that a batch costs the same however many came before.
        batch.child_ids = {
            goal["child_ref"]: self._child_ids[goal["child_ref"]]
            for goal in batch.new_goals
            if goal["child_ref"] in self._child_ids
        }
        batch.goal_ids = {
            rating[0]: self._goal_ids[rating[0]]
            for rating in batch.new_ratings
            if rating[0] in self._goal_ids
        }
        ids = write(self._connection, self._area_id, batch, self._written, None)
        self._organisation_ids.update(ids.organisations)
        self._child_ids.update(ids.children)
        self._goal_ids.update(ids.goals)

    def _stop(self) -> None:
        """Send the last batch, and wait until the thread has written everything."""
        if not self._finished:
            self._finished = True
            self._send()
            self._queue.put(_DONE)
            self._thread.join()
            sys.setswitchinterval(self._switch_interval)

    def finish(self, plan: Plan | None, ok: bool) -> bool:
        """Wait for the thread; keep what it wrote when the file is `ok` and it matches the plan,
        taking it out of the plan. Otherwise undo it. Returns whether it was kept."""
        self._stop()
        if ok and plan is not None and self.failure is None and self._matches(plan):
            self._savepoint.commit()
            self._take_out_of(plan)
            return True
        self._savepoint.rollback()
        return False

    def abandon(self) -> None:
        """Undo everything written ahead, when the import stops before its plan is made."""
        if not self._finished:
            self._stop()
            self._savepoint.rollback()

    def _matches(self, plan: Plan) -> bool:
        """Return whether the rows written are exactly the plan's rows for new children."""
        new_goals = {
            (goal["child_ref"], goal["reference"]): goal
            for goal in plan.new_goals
            if goal["child_ref"] in self.children
        }
        return (
            {child["reference"]: child for child in plan.new_children} == self.children
            and all(
                plan.organisation_of_child.get(reference) == organisation
                for reference, organisation in self.organisation_of_child.items()
            )
            and all(
                plan.new_organisations.get(key) == name
                for key, name in self.new_organisations.items()
            )
            and new_goals == self.goals
            and all(plan.outcome_links.get(key) == ids for key, ids in self.outcome_links.items())
            and [rating for rating in plan.new_ratings if rating[0] in self.goals] == self.ratings
        )

    def _take_out_of(self, plan: Plan) -> None:
        """Leave in the plan only what was not written ahead."""
        plan.new_children = []
        plan.new_goals = [goal for goal in plan.new_goals if goal["child_ref"] not in self.children]
        for key in self.goals:
            del plan.outcome_links[key]
        plan.new_ratings = [rating for rating in plan.new_ratings if rating[0] not in self.goals]
        for key in self._organisation_ids:
            del plan.new_organisations[key]
        for reference, organisation in plan.organisation_of_child.items():
            if isinstance(organisation, str) and organisation in self._organisation_ids:
                plan.organisation_of_child[reference] = self._organisation_ids[organisation]
        plan.written_ahead = self._child_ids

    def __enter__(self) -> "WriteAhead":
        """Return the writer; leaving the block undoes its writes unless `finish` kept them."""
        return self

    def __exit__(self, *exc_info: Any) -> None:
        """Undo what was written ahead unless `finish` was called."""
        self.abandon()
