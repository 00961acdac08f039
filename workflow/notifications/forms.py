from wtforms import BooleanField

from workflow.notifications.preferences import NOTICES
from workflow.web.forms import DeskForm


class NotificationsForm(DeskForm):
    """One switch per notice; the page shows, and the view reads, those of the user's role."""


for _notice in NOTICES:
    setattr(NotificationsForm, _notice.name, BooleanField(_notice.label))
