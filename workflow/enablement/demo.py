"""Demo content for stage 1: a complete seller request; an ISV half-way through its documents."""

from __future__ import annotations

import io

from workflow.enablement.operations import save_enablement_request, upload_document
from workflow.enablement.samples import sample_pdf, sample_png
from workflow.models.enablement import DocumentKind


def fill_seller_request(journey, user) -> None:
    save_enablement_request(
        journey,
        user,
        {
            "seller_id": "2200812345678",
            "shop_name": journey.account.name,
            "contact_name": "Demo Seller",
            "contact_email": "seller@demo.example.com",
            "contact_phone": "+86 571 0000 0000",
            "reason": "We want to sync orders and stock between our ERP and our Tmall Global shop.",
        },
    )


def fill_isv_request(journey, user) -> None:
    """Company details plus documents a, b and d, so the journey is visibly mid-way."""
    save_enablement_request(
        journey,
        user,
        {
            "company_name": "Demo Software Ltd",
            "registration_number": "91330100MA2DEMO01X",
            "company_address": "1 Demo Road, Hangzhou, Zhejiang, China",
            "signatory_name": "Zhang Wei",
            "contact_name": "Demo ISV",
            "contact_email": "isv@demo.example.com",
        },
    )
    account_id = journey.account.taobao_account_id
    files = {
        DocumentKind.certificate_of_incorporation: (
            "certificate.pdf",
            sample_pdf("Certificate of incorporation", "Demo Software Ltd"),
        ),
        DocumentKind.bank_account_proof: ("bank-statement.png", sample_png(shade=210)),
        DocumentKind.service_agreement: (
            "service-agreement.pdf",
            sample_pdf(
                "Taobao Open Platform service agreement",
                f"taobao account ID {account_id}",
                "Signed for Demo Software Ltd by Zhang Wei",
            ),
        ),
    }
    for kind, (filename, data) in files.items():
        upload_document(journey, user, kind, io.BytesIO(data), filename)
