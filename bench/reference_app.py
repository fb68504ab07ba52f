"""The references for the public pages: a bare Flask app in the same gunicorn configuration,
each route one query (the rows the project's page shows) and the least work to answer it.

    gunicorn -c gunicorn.conf.py bench.reference_app:app
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, jsonify
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

app = Flask(__name__)
engine = create_engine(make_url(os.environ["DATABASE_URL"]).set(drivername="postgresql+psycopg"))

ROUNDS_AND_CATEGORIES = text(
    """
    SELECT r.id AS round_id, r.name AS round_name, r.year, r.organiser, r.status, r.opens_at,
           r.closes_at, c.id, c.name, c.description, c.eligibility_text, c.prize_amount,
           c.currency, c.prize_count, c.funder, c.word_limit
    FROM award_rounds r JOIN award_categories c ON c.round_id = r.id
    WHERE r.year >= :last_year OR r.closes_at > :now
    ORDER BY r.closes_at, r.id, c.position, c.id
    """
)
OPEN_CATEGORIES = text(
    """
    SELECT r.id AS round_id, r.name AS round_name, r.year, r.organiser, r.opens_at, r.closes_at,
           c.id, c.name, c.eligibility_text, c.prize_amount, c.currency, c.prize_count, c.funder
    FROM award_categories c JOIN award_rounds r ON r.id = c.round_id
    WHERE r.status IN ('draft', 'open')
      AND (r.status = 'open' OR r.opening_confirmed_at IS NOT NULL)
      AND r.opens_at <= :now AND r.closes_at > :now
    ORDER BY r.closes_at, r.id, c.position, c.id
    """
)
PAGE = app.jinja_env.from_string(  # compiled once, as Flask does with template files
    """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Calls</title></head>
<body><h1>Calls for nominations</h1>
{% for c in rows %}<article><h2>{{ c.round_name }} {{ c.year }}: {{ c.name }}</h2>
<p>{{ c.description }}</p><p>{{ c.eligibility_text }}</p>
<p>{{ c.prize_count }} prize(s) of {{ c.prize_amount }} {{ c.currency }} {{ c.funder }}</p>
<p>Closes {{ c.closes_at.isoformat() }}</p></article>
{% endfor %}</body></html>"""
)


@app.route("/calls")
def calls():
    now = datetime.now(UTC)
    with engine.connect() as connection:
        rows = connection.execute(ROUNDS_AND_CATEGORIES, {"now": now, "last_year": now.year - 1})
        return PAGE.render(rows=rows.all())


@app.route("/calls.json")
def calls_json():
    now = datetime.now(UTC)
    with engine.connect() as connection:
        rows = connection.execute(OPEN_CATEGORIES, {"now": now}).all()
    return jsonify(
        generated_at=now.isoformat(),
        calls=[
            {
                "round": f"{row.round_name} {row.year}",
                "round_id": row.round_id,
                "organiser": row.organiser,
                "category": row.name,
                "category_id": row.id,
                "prize_amount": row.prize_amount,
                "currency": row.currency,
                "number_of_prizes": row.prize_count,
                "funder": row.funder,
                "eligibility": row.eligibility_text,
                "opens_at": row.opens_at.isoformat(),
                "closes_at": row.closes_at.isoformat(),
            }
            for row in rows
        ],
    )


@app.route("/healthz")
def healthz():
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return "ok"
