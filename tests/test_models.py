from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError

from nominations.models import AwardCategory, AwardRound, User, db
from tests import factories


def test_datetimes_come_back_aware_in_utc(app):
    oslo_noon = datetime(2026, 6, 1, 12, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    award_round = factories.award_round(
        opens_at=oslo_noon, closes_at=oslo_noon + timedelta(days=30)
    )
    round_id = award_round.id
    db.session.expire_all()
    stored = db.session.get(AwardRound, round_id)
    assert stored.opens_at.tzinfo is not None
    assert stored.opens_at.utcoffset() == timedelta(0)
    assert stored.opens_at == datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def test_naive_datetimes_are_refused(app):
    aware = datetime(2026, 2, 1, tzinfo=UTC)
    db.session.add(
        AwardRound(
            name="Naive",
            year=2026,
            opens_at=datetime(2026, 1, 1),
            closes_at=aware,
            review_deadline=aware + timedelta(days=1),
        )
    )
    with pytest.raises(Exception, match="naive datetime"):
        db.session.commit()
    db.session.rollback()


def test_database_refuses_closing_before_opening(app):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    db.session.add(
        AwardRound(
            name="Bad",
            year=2026,
            opens_at=now,
            closes_at=now - timedelta(days=1),
            review_deadline=now + timedelta(days=3),
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_database_refuses_non_positive_prizes(app):
    award_round = factories.award_round()
    db.session.add(AwardCategory(round_id=award_round.id, name="Zero", prize_amount=0))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_email_unique_and_lowercase(app):
    factories.user("Person@Example.org")
    assert db.session.execute(db.select(User.email)).scalar() == "person@example.org"
    db.session.add(User(email="person@example.org", name="Twin", password_hash="x"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
