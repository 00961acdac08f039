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

from workflow.models import ReviewStatus
from workflow.web.forms import AsciiDigits, DeskForm


class _ContactFields(DeskForm):
    contact_name = StringField("Contact name", validators=[Length(max=200)])
    contact_email = EmailField("Contact e-mail", validators=[Optional(), Email(), Length(max=254)])
    contact_phone = StringField("Contact phone (optional)", validators=[Length(max=50)])


class SellerRequestForm(_ContactFields):
    """The seller's formal request to enable its seller account for TOP."""

    seller_id = StringField(
        "Seller ID",
        validators=[
            Length(max=32),
            AsciiDigits(1, 20, "A seller ID is a number in digits 0-9, e.g. 2200812345678."),
        ],
    )
    shop_name = StringField("Shop name", validators=[Length(max=200)])
    reason = TextAreaField("Why do you need TOP access?", validators=[Length(max=5000)])


class IsvRequestForm(_ContactFields):
    """The ISV's company details; the taobao account ID comes from the account."""

    company_name = StringField("Company name", validators=[Length(max=200)])
    registration_number = StringField("Company registration number", validators=[Length(max=100)])
    company_address = TextAreaField("Registered address", validators=[Length(max=2000)])
    signatory_name = StringField(
        "Authorized signatory (as signed on documents d and f)", validators=[Length(max=200)]
    )


class UploadForm(DeskForm):
    file = FileField("File")


class DecisionForm(DeskForm):
    decision = RadioField(
        "Decision",
        choices=[SelectChoice("accept", "Accept"), SelectChoice("reject", "Reject")],
        validators=[DataRequired(message="Choose accept or reject.")],
    )
    reason = TextAreaField("Reason shown to the applicant", validators=[Length(max=2000)])
    #: The status the reviewer saw; the decision only applies if it is still the same.
    seen_status = HiddenField(
        "Status you saw",
        validators=[
            Optional(),
            Length(max=20),
            AnyOf([s.value for s in ReviewStatus], message="Not a status a document can have."),
        ],
    )
    #: Document d only: the reviewer saw the taobao account ID where text and OCR did not.
    account_id_seen = BooleanField("I saw the taobao account ID in this agreement myself")


class AcceptPassedForm(DeskForm):
    """Accept every document the page listed as passing its prechecks, in one action."""

    #: The listed version ids, comma-separated: the action applies only if they still are all.
    documents = HiddenField(
        "Documents you saw",
        validators=[
            DataRequired(message="No document was listed."),
            Length(max=200),
            Regexp(r"[0-9]{1,12}(,[0-9]{1,12}){0,11}\Z", message="Not a list of documents."),
        ],
    )

    @property
    def document_ids(self) -> list[int]:
        return [int(part) for part in (self.documents.data or "").split(",") if part]


def request_form_for(journey, **kwargs) -> SellerRequestForm | IsvRequestForm:
    form_class = IsvRequestForm if journey.account.kind.value == "isv" else SellerRequestForm
    return form_class(obj=journey.enablement_request, **kwargs)
