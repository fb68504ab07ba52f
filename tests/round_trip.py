"""Save changes nothing by itself (issue 12, point 2): open an edit form, send it back as a
browser would, untouched, and compare what is stored before and after.

Everything stored is compared, every column of every table (``updated_at`` included: the
nomination's is shown as its "Last change"), so an unchanged save that moves a time, rounds an
amount, trims text, records an audit event or queues an e-mail shows up as a difference.
"""

from __future__ import annotations

from pprint import pformat

from werkzeug.datastructures import MultiDict

from nominations.models import db
from tests.page_forms import form_values


def stored_rows() -> dict[str, dict[tuple, dict]]:
    """Every row of every table: {table: {primary key: row}}."""
    db.session.expire_all()
    found = {}
    for table in db.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        found[table.name] = {
            tuple(row[key.name] for key in keys): dict(row)
            for row in db.session.execute(db.select(table)).mappings()
        }
    return found


def differences(before: dict, after: dict) -> dict:
    """What differs, by table and primary key: the changed columns as (before, after), and
    rows added or removed whole."""
    found: dict[str, dict] = {}
    for table, rows in after.items():
        old_rows = before[table]
        for key in old_rows.keys() | rows.keys():
            old, new = old_rows.get(key), rows.get(key)
            if old is None or new is None:
                change = {"added": new} if old is None else {"removed": old}
            else:
                change = {c: (old[c], new[c]) for c in new if old[c] != new[c]}
            if change:
                found.setdefault(table, {})[key] = change
    return found


def save_unchanged(client, url: str, action: str = "", button: tuple[str, str] | None = None):
    """GET ``url``, then post its form (the one posting to ``action``) as it came, with the
    pressed ``button`` (name, value) when the view tells its buttons apart."""
    page = client.get(url)
    assert page.status_code == 200
    pairs = form_values(page.get_data(as_text=True), action)
    if button is not None:
        pairs.append(button)
    response = client.post(action or url, data=MultiDict(pairs))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response


def assert_saved_unchanged(
    client, url: str, action: str = "", button: tuple[str, str] | None = None
):
    """``save_unchanged``, and nothing stored differs afterwards; the answer (a redirect)."""
    before = stored_rows()
    response = save_unchanged(client, url, action, button)
    changed = differences(before, stored_rows())
    assert not changed, f"an unchanged save changed what is stored:\n{pformat(changed)}"
    return response
