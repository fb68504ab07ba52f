"""Nominations: drafts, submission, edits until the closing time, withdrawal, eligibility.

Every change a nominator makes goes through one of the commands, and each of them first asks
the clock (``rules.require_open``): after the closing time, to the second, nothing a nominator
sends is stored, whatever the scheduler has done. Nothing is lost either: a refused change
leaves the stored draft as it was, and the view shows the typed values again.

Life of a nomination (nominator's side)::

    (new) --save_draft--> draft --submit--> submitted --withdraw--> withdrawn
                            ^                   |  update (edit)        |
                            +------ save_draft -+-----------------------+
                                                 (or submit again)

The modules, by concern:

- ``rules``: what may be submitted and when (required fields, word limit, career stage,
  self-nomination, the call's clock) and the statuses each change starts from;
- ``details``: the nominee details as typed, cleaned and checked field by field;
- ``documents``: supporting documents added and removed, with the files on disk following
  the fate of the transaction;
- ``commands``: the changes (save a draft, submit, update, withdraw, mark ineligible); they
  flush, the edge (request, CLI command, job) commits;
- ``queries``: the reads the pages need (my nominations, the admin list, duplicates);
- ``notifications``: the e-mails the changes queue for the nominator.
"""
