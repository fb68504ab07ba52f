"""All models, importable from one place (Alembic sees them all through this module)."""

from nominations.models.accounts import Department, Role, User
from nominations.models.audit import AuditEvent
from nominations.models.base import Base, UTCDateTime, db, utcnow
from nominations.models.discussion import DiscussionNote
from nominations.models.documents import DocumentChunk
from nominations.models.email_texts import EmailText
from nominations.models.mail import OutboxMessage, OutboxStatus
from nominations.models.nomination import (
    REVIEWABLE_STATUSES,
    Attachment,
    AttachmentKind,
    Nomination,
    NominationStatus,
)
from nominations.models.privacy import PrivacyNotice
from nominations.models.publications import (
    CoauthorDecision,
    CoauthorOutcome,
    Publication,
    PublicationHolder,
)
from nominations.models.questions import (
    CategoryQuestion,
    QuestionAnswer,
    QuestionKind,
)
from nominations.models.referees import Referee
from nominations.models.reminders import ReminderSend
from nominations.models.review import (
    ConflictKind,
    ConflictOfInterest,
    Criterion,
    Decision,
    Panel,
    PanelMember,
    PanelRole,
    Recommendation,
    Review,
    ReviewScore,
    ReviewStatus,
)
from nominations.models.rounds import (
    AwardCategory,
    AwardRound,
    BlindMode,
    ReminderKind,
    ReminderRule,
    RoundStatus,
    new_lineage,
    new_ranking_version,
)
from nominations.models.scheduling import JobRun, SchedulerLease

__all__ = [
    "REVIEWABLE_STATUSES",
    "Attachment",
    "AttachmentKind",
    "AuditEvent",
    "AwardCategory",
    "AwardRound",
    "Base",
    "BlindMode",
    "CategoryQuestion",
    "CoauthorDecision",
    "CoauthorOutcome",
    "ConflictKind",
    "ConflictOfInterest",
    "Criterion",
    "Decision",
    "EmailText",
    "Department",
    "DiscussionNote",
    "DocumentChunk",
    "DocumentChunk",
    "JobRun",
    "Nomination",
    "NominationStatus",
    "OutboxMessage",
    "OutboxStatus",
    "Panel",
    "PanelMember",
    "PanelRole",
    "QuestionAnswer",
    "QuestionKind",
    "PrivacyNotice",
    "Publication",
    "PublicationHolder",
    "Recommendation",
    "Referee",
    "ReminderKind",
    "ReminderRule",
    "ReminderSend",
    "Review",
    "ReviewScore",
    "ReviewStatus",
    "Role",
    "RoundStatus",
    "SchedulerLease",
    "UTCDateTime",
    "User",
    "db",
    "new_lineage",
    "new_ranking_version",
    "utcnow",
]
