"""The models of every area, imported here so Alembic and the app see one metadata."""

from workflow.models.accounts import (
    Account,
    AccountKind,
    AccountToken,
    Role,
    SignInFailure,
    TokenPurpose,
    User,
)
from workflow.models.api import ApiToken, IdempotentResponse
from workflow.models.apps import (
    ApiRequest,
    App,
    Audience,
    Evidence,
    EvidenceKind,
    EvidenceToken,
    FormKind,
    InForceSeller,
    Packet,
    PacketSnapshot,
    SellerList,
    SellerListKind,
    StageForm,
)
from workflow.models.conversation import MAX_MESSAGE, StageMessage
from workflow.models.enablement import (
    DOCUMENT_TITLES,
    DocumentKind,
    DocumentVersion,
    EnablementRequest,
    OcrStatus,
    ReviewStatus,
    TextSource,
)
from workflow.models.jobs import Job, JobStatus
from workflow.models.journeys import ChainHead, DecisionKind, Event, Journey
from workflow.models.notifications import NotificationPreference, SentReminder
from workflow.models.outbox import OutboxMessage, OutboxStatus
from workflow.models.retention import (
    RETENTION_TITLES,
    DeletedFile,
    RetentionKind,
    RetentionRule,
)
from workflow.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint

__all__ = [
    "DOCUMENT_TITLES",
    "MAX_MESSAGE",
    "RETENTION_TITLES",
    "Account",
    "ApiToken",
    "AccountKind",
    "AccountToken",
    "ApiRequest",
    "App",
    "Audience",
    "ChainHead",
    "DecisionKind",
    "DeletedFile",
    "DeliveryStatus",
    "DocumentKind",
    "DocumentVersion",
    "EnablementRequest",
    "Event",
    "Evidence",
    "EvidenceKind",
    "EvidenceToken",
    "FormKind",
    "IdempotentResponse",
    "InForceSeller",
    "Job",
    "JobStatus",
    "Journey",
    "NotificationPreference",
    "OcrStatus",
    "OutboxMessage",
    "OutboxStatus",
    "Packet",
    "PacketSnapshot",
    "RetentionKind",
    "RetentionRule",
    "ReviewStatus",
    "Role",
    "SellerList",
    "SellerListKind",
    "SentReminder",
    "SignInFailure",
    "StageMessage",
    "StageForm",
    "TextSource",
    "TokenPurpose",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]
