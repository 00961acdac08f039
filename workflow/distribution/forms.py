"""Stage 5's forms: a seller-ID list (typed or a file), whom the APP serves, and the
configurations Tmall Global requires (specified by a reviewer, confirmed by the applicant)."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from workflow.distribution.configs import MAX_DETAILS
from workflow.i18n import _l
from workflow.models import Audience
from workflow.web.forms import DeskForm

#: Characters of a typed list: a million 20-digit IDs with their line breaks. A longer list is a
#: file (and the request limit, MAX_CONTENT_LENGTH, usually ends it first).
MAX_TYPED_LIST = 22_000_000


class SellerListForm(DeskForm):
    ids = TextAreaField(_l("Seller IDs"), validators=[Length(max=MAX_TYPED_LIST)])
    file = FileField(_l("Seller list file"))


class AudienceForm(DeskForm):
    audience = RadioField(
        _l("Who the APP serves"),
        choices=[
            SelectChoice(Audience.own_shop.value, _l("My own shop")),
            SelectChoice(Audience.other_sellers.value, _l("Other sellers")),
        ],
        validators=[DataRequired(_l("Choose whom the APP serves."))],
    )


class RequiredConfigsForm(DeskForm):
    security = BooleanField(_l("Require security-center configuration"))
    security_details = TextAreaField(
        _l("What the security-center configuration must be"), validators=[Length(max=MAX_DETAILS)]
    )
    cloud = BooleanField(_l("Require cloud configuration"))
    cloud_details = TextAreaField(
        _l("What the cloud configuration must be"), validators=[Length(max=MAX_DETAILS)]
    )


class ConfirmConfigForm(DeskForm):
    details = TextAreaField(_l("What you configured"), validators=[Length(max=MAX_DETAILS)])
