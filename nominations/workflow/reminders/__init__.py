"""Reminder rules and the notifications the scheduler queues from them.

* ``schedule``: when each rule is due, computed from the round's current dates;
* ``recipients``: who gets what (reviewers through ``workflow/assignment.py``);
* ``sending``: queue the messages, each recorded once in ``ReminderSend``;
* ``rules``: the admin's commands on a round's rules;
* ``overview``: what the admin pages show (the rules' states, what is coming).

Each round has its rules (``ReminderRule``; new rounds get ``DEFAULT_REMINDERS``). Admins
enable, disable, add and remove them. Due times are never stored: they are computed from the
round's current dates at every scheduler tick, so changing a round's dates moves its reminders.

"N days before" means the same local clock time N local days earlier
(``shift_local(deadline, days=-N)``), so "7 days before 12:00" is 12:00 also across a
daylight-saving change.

A reminder of rule R is *due* for a recipient when

* the round is in the right phase (call reminders while the call is open, review reminders
  after it closed and before decisions),
* ``due <= now < deadline``, where ``due`` is computed from the round's current deadline,
* ``due`` is not before the phase began (a "14 days before closing" rule of a call that is open
  for ten days is skipped: the call-opened message covers it; likewise a review reminder whose
  time falls before the call closed), and
* the recipient was not already sent a reminder of the same kind for this round at or after
  ``due``, nor this same rule's reminder less than N days before ``due`` (``sending.covered``).

Exactly once: every reminder sent is a ``ReminderSend`` row, unique per (round, kind,
recipient, days before, deadline it counted down to). The occasion is the rule's
``days_before`` *and* the deadline instant it was computed for, and the last condition above
decides what happens when an admin moves a deadline:

* moved **later** by N days or more after "N days before" went out: the recipient gets a new
  "N days before" reminder N days before the new deadline (the old one is long out of date);
* moved later by less than N days after it went out (an hour, a day for a 7-day rule): not
  repeated;
* moved **earlier**: a reminder already sent inside the new window is not repeated; one not yet
  sent is sent at its new (earlier) time, at once if that time has passed;
* a scheduler that was down past several due times sends only the most recent reminder of each
  kind (not "14 days left" and "7 days left" at once).

Two scheduler processes computing the same occasion insert the same ``ReminderSend`` row, and
``ON CONFLICT DO NOTHING`` keeps one; only the process whose row was written queues the message.
"""
