"""Stage-1 forms. Fields may be saved incomplete; submitting checks they are all there."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional, Regexp

from workflow.i18n import _l
from workflow.models import ReviewStatus
from workflow.web.forms import AsciiDigits, DeskForm


class _ContactFields(DeskForm):
    contact_name = StringField(_l("Contact name"), validators=[Length(max=200)])
    contact_email = EmailField(
        _l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)]
    )
    contact_phone = StringField(_l("Contact phone (optional)"), validators=[Length(max=50)])


class SellerRequestForm(_ContactFields):
    """The seller's formal request to enable its seller account for TOP."""

    seller_id = StringField(
        _l("Seller ID"),
        validators=[
            Length(max=32),
            AsciiDigits(1, 20, _l("A seller ID is a number in digits 0-9, e.g. 2200812345678.")),
        ],
    )
    shop_name = StringField(_l("Shop name"), validators=[Length(max=200)])
    reason = TextAreaField(_l("Why do you need TOP access?"), validators=[Length(max=5000)])


class IsvRequestForm(_ContactFields):
    """The ISV's company details; the taobao account ID comes from the account."""

    company_name = StringField(_l("Company name"), validators=[Length(max=200)])
    registration_number = StringField(
        _l("Company registration number"), validators=[Length(max=100)]
    )
    company_address = TextAreaField(_l("Registered address"), validators=[Length(max=2000)])
    signatory_name = StringField(
        _l("Authorized signatory (as signed on documents d and f)"), validators=[Length(max=200)]
    )


class UploadForm(DeskForm):
    file = FileField(_l("File"))


class DecisionForm(DeskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("accept", _l("Accept")), SelectChoice("reject", _l("Reject"))],
        validators=[DataRequired(message=_l("Choose accept or reject."))],
    )
    reason = TextAreaField(_l("Reason shown to the applicant"), validators=[Length(max=2000)])
    #: The status the reviewer saw; the decision only applies if it is still the same.
    seen_status = HiddenField(
        _l("Status you saw"),
        validators=[
            Optional(),
            Length(max=20),
            AnyOf([s.value for s in ReviewStatus], message=_l("Not a status a document can have.")),
        ],
    )
    #: Document d only: the reviewer saw the taobao account ID where text and OCR did not.
    account_id_seen = BooleanField(_l("I saw the taobao account ID in this agreement myself"))


class AcceptPassedForm(DeskForm):
    """Accept every document the page listed as passing its prechecks, in one action."""

    #: The listed version ids, comma-separated: the action applies only if they still are all.
    documents = HiddenField(
        _l("Documents you saw"),
        validators=[
            DataRequired(message=_l("No document was listed.")),
            Length(max=200),
            Regexp(r"[0-9]{1,12}(,[0-9]{1,12}){0,11}\Z", message=_l("Not a list of documents.")),
        ],
    )

    @property
    def document_ids(self) -> list[int]:
        return [int(part) for part in (self.documents.data or "").split(",") if part]


def request_form_for(journey, **kwargs) -> SellerRequestForm | IsvRequestForm:
    form_class = IsvRequestForm if journey.account.takes_isv_path else SellerRequestForm
    return form_class(obj=journey.enablement_request, **kwargs)
