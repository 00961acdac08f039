"""The seeded world every hostile case acts on: one seller and one ISV account, each with a
journey waiting in every stage a route acts on, and a user per role.

It is built once for the whole corpus. A case may change it (a request that is allowed really
writes); ``restore`` puts back what later cases rely on: the journeys' states, the users'
passwords and access, and no counted sign-in failures.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import delete, insert, select, update

from storage import check_consistency
from tests.seeding import (
    journey_with_app,
    seed_evidence,
    seed_packet,
    seed_snapshot,
    seed_webhook,
)
from tests.support import PASSWORD
from workflow.api.tokens import create_token
from workflow.auth.tokens import issue_token
from workflow.deployment.operations import save_stage_document
from workflow.distribution.operations import save_seller_list
from workflow.enablement.operations import save_enablement_request, upload_document
from workflow.enablement.samples import sample_pdf
from workflow.extensions import db
from workflow.files import referenced_files
from workflow.models import (
    Account,
    AccountKind,
    AccountToken,
    ApiToken,
    App,
    Audience,
    DeliveryStatus,
    DocumentKind,
    FormKind,
    Journey,
    Role,
    SellerListKind,
    SignInFailure,
    TokenPurpose,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from workflow.models.base import utcnow
from workflow.operations import open_journey
from workflow.packets.operations import download_link
from workflow.storage_setup import get_storage

API = "taobao.trades.sold.get"
#: The roles every route is asked as; ``unverified`` is an ISV colleague who has not confirmed
#: their e-mail address yet (they may read and sign in, but submit nothing).
ROLES = ("anonymous", "seller", "isv", "reviewer", "admin", "unverified")
#: Journeys each account holds, and the state each waits in.
STAGES = {
    "enable": "enablement_draft",
    "fire": "enablement_draft",
    "review": "enablement_submitted",
    "app": "app_draft",
    "api": "api_access_submitted",
    "sandbox": "sandbox_verification",
    "deploy": "mrd_prd_draft",
    "meeting": "confabulation",
    "plan": "cloud_plan_draft",
    "provision": "cloud_provisioning",
    "verify": "cloud_verification",
    "exempt": "exemption_draft",
    "dist": "distribution_setup",
    "distdraft": "distribution_draft",
    "rejected": "rejected",
}
#: Journeys that get an APP registered (every stage from the APP draft on).
_WITH_APP = (
    "app", "api", "sandbox", "deploy", "meeting", "plan", "provision", "verify", "exempt", "dist",
    "rejected",
)  # fmt: skip


@dataclass
class World:
    #: ``{"seller": {...}, "isv": {...}}``: each account's ids by name (see ``STAGES``).
    ids: dict[str, dict[str, object]]
    #: User ids by role; ``spare`` is switched on and off by the admin's cases.
    users: dict[str, int]
    #: ``journey id -> state`` as seeded.
    states: dict[int, str] = field(default_factory=dict)
    #: ``user id -> (password hash, is_active, e-mail verified at)`` as seeded.
    accounts: dict[int, tuple] = field(default_factory=dict)
    #: Ids of the seeded mailed-link tokens: each works again after every case.
    tokens: list[int] = field(default_factory=list)
    #: The seeded webhook endpoints' columns by id: a case that deleted one gets it back.
    webhooks: dict[int, dict] = field(default_factory=dict)
    #: Each role's personal API token (the API's routes are asked with it, not the session).
    api_tokens: dict[str, str] = field(default_factory=dict)
    #: Their rows' ids: a case that revokes one is undone.
    api_token_ids: list[int] = field(default_factory=list)

    def ids_for(self, role: str, on: str) -> dict[str, object]:
        """An applicant acts on its own account; anyone else on the route's account ``on``."""
        return self.ids[role] if role in self.ids else self.ids[on]

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else db.session.get(User, self.users[role])

    def current(self, ids: dict[str, object]) -> dict[str, object]:
        """``ids`` with each journey's version as it is now (``<name>_version``), and one
        that is not (``<name>_stale``: what a page loaded before someone acted still says)."""
        wanted = {ids[name]: name for name in STAGES}
        query = select(Journey.id, Journey.version_id).where(Journey.id.in_(wanted))
        current = dict(ids)
        for journey_id, version in db.session.execute(query):
            current[f"{wanted[journey_id]}_version"] = version
            current[f"{wanted[journey_id]}_stale"] = version - 1 if version > 1 else version + 1
        return current


def build_world() -> World:
    users: dict[str, int] = {}
    ids: dict[str, dict[str, object]] = {}
    for role, kind in (("seller", AccountKind.seller), ("isv", AccountKind.isv)):
        account, applicant = _account(kind, role)
        users[role] = applicant.id
        ids[role] = _journeys(account, applicant, role)
    for role in ("reviewer", "admin"):
        users[role] = _user(f"{role}@hostile.test", Role(role)).id
    spare_account = db.session.get(Journey, ids["isv"]["enable"]).account
    users["spare"] = _user("spare@hostile.test", Role.applicant, spare_account).id
    users["login"] = _user("login@hostile.test", Role.applicant, spare_account).id
    links = _links(spare_account)
    users["unverified"] = links.pop("unverified_user")
    desk_webhook, desk_delivery = seed_webhook(None, "desk")
    desk_spare, _ = seed_webhook(None, "desk-spare")
    for role, account_ids in ids.items():
        account_ids["spare_user"] = users["spare"]
        account_ids.update(links)
        account_id = db.session.get(Journey, account_ids["enable"]).account_id
        account_ids["webhook"], account_ids["webhook_delivery"] = seed_webhook(account_id, role)
        # Deleted by the cases that delete: the others keep theirs.
        account_ids["webhook_spare"], _ = seed_webhook(account_id, f"{role}-spare")
        account_ids.update(
            desk_webhook=desk_webhook, desk_delivery=desk_delivery, desk_webhook_spare=desk_spare
        )
    db.session.commit()
    world = World(ids=ids, users=users)
    world.states = dict(db.session.execute(select(Journey.id, Journey.state)).all())
    unused = AccountToken.used_at.is_(None)
    world.accounts = {
        user.id: (user.password_hash, user.is_active_user, user.email_verified_at)
        for user in db.session.scalars(select(User))
    }
    world.tokens = list(db.session.scalars(select(AccountToken.id).where(unused)))
    columns = WebhookEndpoint.__table__.columns
    world.webhooks = {
        row.id: {c.name: getattr(row, c.key) for c in columns}
        for row in db.session.scalars(select(WebhookEndpoint))
    }
    for role in ("seller", "isv", "reviewer", "admin", "unverified"):
        row, world.api_tokens[role] = create_token(
            db.session.get(User, users[role]), "corpus", ["read", "write"], 365
        )
        world.api_token_ids.append(row.id)
    db.session.commit()
    return world


def _links(account: Account) -> dict[str, object]:
    """Mailed links that work (each a user's newest of its purpose) and one that is spent: an
    applicant who has not confirmed their address, a user who asked for a reset, and a reviewer
    invited by an admin who has not chosen a password yet."""
    unverified = _user("unverified@hostile.test", Role.applicant, account, verified=False)
    resetting = _user("reset@hostile.test", Role.applicant, account)
    invited = User(email="invited@hostile.test", role=Role.reviewer, password_hash="!")
    db.session.add(invited)
    spent = issue_token(resetting, TokenPurpose.reset_password)
    return {
        "unverified_user": unverified.id,
        "verify_token": issue_token(unverified, TokenPurpose.verify_email),
        "reset_token": issue_token(resetting, TokenPurpose.reset_password),
        "spent_token": spent,  # replaced by the newer reset link just above
        "invitation_token": issue_token(invited, TokenPurpose.invitation),
    }


def _user(email: str, role: Role, account: Account | None = None, verified=True) -> User:
    user = User(email=email, role=role, account=account)
    user.email_verified_at = utcnow() if verified else None
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    return user


def _account(kind: AccountKind, role: str) -> tuple[Account, User]:
    account = Account(kind=kind, name=f"Hostile {role}", taobao_account_id=f"tb_hostile_{role}")
    db.session.add(account)
    db.session.flush()
    return account, _user(f"{role}@hostile.test", Role.applicant, account)


def _journeys(account: Account, applicant: User, role: str) -> dict[str, object]:
    prefix = "3" if role == "seller" else "4"
    journeys: dict[str, Journey] = {}
    for name in ("enable", "fire", "review"):
        journeys[name] = open_journey(account, applicant)
    fields = {"shop_name": "Hostile shop"} if role == "seller" else {"company_name": "Hostile Ltd"}
    save_enablement_request(journeys["enable"], applicant, fields)
    document = None
    if account.kind is AccountKind.isv:
        pdf = io.BytesIO(sample_pdf("Certificate", account.name))
        document = upload_document(
            journeys["review"], applicant, DocumentKind.certificate_of_incorporation, pdf, "a.pdf"
        )
    account.enabled_at = utcnow()
    for name, state in STAGES.items():
        if name in _WITH_APP:
            key = f"{prefix}{len(journeys):07d}"
            # At distribution the seeded lists name other sellers (guide §3.4.1).
            audience = Audience.other_sellers if name.startswith("dist") else Audience.own_shop
            journey = journey_with_app(
                account, applicant, state, app_key=key, name=f"APP {name}", audience=audience
            )
        else:
            journey = journeys.get(name) or open_journey(account, applicant)
            journey.state = state  # tests may place a journey anywhere; the app never does
        journeys[name] = journey
    db.session.flush()
    evidence = seed_evidence(journeys["sandbox"], applicant)
    stage_form = save_stage_document(
        journeys["deploy"], FormKind.mrd, applicant, io.BytesIO(sample_pdf("MRD")), "mrd.pdf"
    )
    save_seller_list(journeys["dist"], SellerListKind.authorization, applicant, [1001, 1002])
    packet = seed_packet(journeys["dist"], f"HOSTILE-{role}-{journeys['dist'].id}")
    snapshot = seed_snapshot(journeys["dist"], f"HOSTILE-PENDING-{role}-{journeys['dist'].id}")
    ids: dict[str, object] = {name: journey.id for name, journey in journeys.items()}
    ids.update(
        document=document.id if document else 0,
        evidence=evidence.id,
        stage_form=stage_form.id,
        packet=packet.id,
        submission=snapshot.event_id,
        packet_token=urlsplit(download_link(packet)).path.rsplit("/", 1)[1],
        api_request=journeys["api"].app.api_requests[0].id,
        app_key=journeys["app"].app.app_key,
    )
    return ids


def restore(world: World) -> None:
    """Put back what the next case relies on, where a case changed it."""
    db.session.rollback()
    changed = False
    for journey_id, state in db.session.execute(select(Journey.id, Journey.state)):
        seeded = world.states.get(journey_id)
        if seeded is not None and state != seeded:
            db.session.execute(update(Journey).where(Journey.id == journey_id).values(state=seeded))
            changed = True
    query = select(User.id, User.password_hash, User.is_active_user, User.email_verified_at)
    for user_id, *now in db.session.execute(query.where(User.id.in_(world.accounts))):
        seeded = world.accounts[user_id]
        if tuple(now) != seeded:
            names = ("password_hash", "is_active_user", "email_verified_at")
            values = dict(zip(names, seeded, strict=True))
            db.session.execute(update(User).where(User.id == user_id).values(**values))
            changed = True
    # A journey that continued a rejected one stays, but lets go of the APP key it carried
    # over and of the rejected journey, which can then be continued again.
    continuing = select(Journey.id).where(Journey.follows_journey_id.is_not(None))
    held = update(App).where(App.journey_id.in_(continuing), App.key_held.is_(True))
    changed = db.session.execute(held.values(key_held=False)).rowcount > 0 or changed
    new = update(Journey).where(Journey.id.in_(continuing)).values(follows_journey_id=None)
    changed = db.session.execute(new).rowcount > 0 or changed
    # Every seeded link works again, unexpired, whatever a case used or replaced.
    spent = update(AccountToken).where(
        AccountToken.id.in_(world.tokens), AccountToken.used_at.is_not(None)
    )
    changed = db.session.execute(spent.values(used_at=None)).rowcount > 0 or changed
    changed = db.session.execute(delete(SignInFailure)).rowcount > 0 or changed
    # Endpoints a case registered go again, so the owners' limit never refuses the next one.
    added = delete(WebhookEndpoint).where(WebhookEndpoint.id.not_in(list(world.webhooks)))
    changed = db.session.execute(added).rowcount > 0 or changed
    present = set(db.session.scalars(select(WebhookEndpoint.id)))
    for endpoint_id, values in world.webhooks.items():
        if endpoint_id not in present:
            db.session.execute(insert(WebhookEndpoint.__table__).values(**values))
            changed = True
    # A redelivered delivery is failed again, so the next case can send it again too.
    resent = update(WebhookDelivery).where(WebhookDelivery.status != DeliveryStatus.failed)
    changed = (
        db.session.execute(resent.values(status=DeliveryStatus.failed)).rowcount > 0 or changed
    )
    revoked = update(ApiToken).where(
        ApiToken.id.in_(world.api_token_ids), ApiToken.revoked_at.is_not(None)
    )
    changed = db.session.execute(revoked.values(revoked_at=None)).rowcount > 0 or changed
    if changed:
        db.session.commit()
    else:
        db.session.rollback()


def dangling() -> dict[str, list[str]]:
    """Stored objects without a row and rows pointing at no object (ids only, no hashing)."""
    db.session.rollback()
    referenced = set(referenced_files())
    stored = set(get_storage().iter_ids())
    return {"orphans": sorted(stored - referenced), "missing": sorted(referenced - stored)}


def full_storage_check():
    """``flask storage check``: also re-hashes every referenced object."""
    db.session.rollback()
    return check_consistency(get_storage(), referenced_files())
