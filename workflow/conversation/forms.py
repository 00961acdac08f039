from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Regexp

from workflow.i18n import _l
from workflow.models import MAX_MESSAGE
from workflow.stages import STAGES
from workflow.web.forms import DeskForm


class MessageForm(DeskForm):
    """A message on the current stage's conversation.

    ``stage`` is the stage the page showed, so a form opened before the journey moved on is
    refused instead of posting to a stage its writer never saw; ``nonce`` is the form's own
    token, so a double click posts once.
    """

    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(_l("Write a message first.")), Length(max=MAX_MESSAGE)],
    )
    stage = HiddenField(
        _l("Stage"),
        validators=[
            DataRequired(_l("The form names no stage; reload the page.")),
            Length(max=2),
            AnyOf([stage.number for stage in STAGES], _l("No such stage; reload the page.")),
        ],
    )
    nonce = HiddenField(
        _l("Form token"),
        validators=[
            DataRequired(_l("The form has no token; reload the page.")),
            Length(max=64),
            Regexp(r"^[A-Za-z0-9_-]{16,64}$", message=_l("The form's token is damaged; reload.")),
        ],
    )
