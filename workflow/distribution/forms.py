"""Stage 5's forms: a seller-ID list (typed or a file) and the admin's required configurations."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

from workflow.web.forms import DeskForm

#: Characters of a typed list: a million 20-digit IDs with their line breaks. A longer list is a
#: file (and the request limit, MAX_CONTENT_LENGTH, usually ends it first).
MAX_TYPED_LIST = 22_000_000


class SellerListForm(DeskForm):
    ids = TextAreaField("Seller IDs", validators=[Length(max=MAX_TYPED_LIST)])
    file = FileField("Seller list file")


class RequiredConfigsForm(DeskForm):
    security = BooleanField("Require security-center configuration")
    cloud = BooleanField("Require cloud configuration")
