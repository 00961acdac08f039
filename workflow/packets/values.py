"""The words the desk itself writes into a packet's value cells, in English as the data keeps them.

Importing this module registers each as the desk's own (``bilingual.desk_value``), so the packet
shows the Chinese after it. The packet's template context imports it: whichever process renders
a packet (the web, a worker, ``flask audit verify``) knows the same values, and the same data
gives the same bytes.
"""

from __future__ import annotations

from workflow.i18n import _l

from .bilingual import desk_pattern, desk_value

SYSTEM = desk_value(_l("system"))
TMALL_GLOBAL = desk_value(_l("Tmall Global"))
NOT_PROVIDED = desk_value(_l("Not provided."))
NO_APP = desk_value(_l("No APP registered."))
NEW_APP = desk_value(_l("New APP"))
EXISTING_APP = desk_value(_l("Existing APP moving over"))
OWN_SHOP = desk_value(_l("Own shop"))
OTHER_SELLERS_ISV = desk_value(_l("Other sellers (ISV)"))
OTHER_SELLERS = desk_value(_l("Other sellers"))
IN_CATALOGUE = desk_value(_l("yes (the desk's catalogue)"))
MARKED = desk_value(_l("yes (marked by Tmall Global)"))
NO = desk_value(_l("no"))
NO_LIST = desk_value(_l("No list submitted."))
NOT_CONFIRMED = desk_value(_l("not confirmed"))
NOT_REQUIRED = desk_value(_l("not required"))
#: A confirmation box of a stage form (``deployment.specs.YES``/``NO``).
FORM_YES = desk_value(_l("Yes"))
FORM_NO = desk_value(_l("No"))
#: Where a connectivity check ran, and what it did not record.
FROM_DESK = desk_value(_l("from the desk"))
ON_HOST = desk_value(_l("on the applicant's host"))
NOT_RESOLVED = desk_value(_l("not resolved"))
NONE_RECORDED = desk_value(_l("none recorded"))
#: When the applicant confirmed the TOP console configuration.
CONFIRMED_AT = desk_pattern(_l("confirmed %(at)s UTC"))
#: When the applicant continued without the sandbox (§3.2).
SANDBOX_SKIPPED_AT = desk_pattern(
    _l("The applicant continued without sandbox verification on %(at)s UTC (§3.2 recommends it).")
)
