"""Signed webhooks: endpoints registered on the settings pages, deliveries through the outbox.

``events`` turns the domain's signals into delivery rows in the same transaction; ``delivery``
is the ``webhook`` job kind that sends them through the egress guard; ``signing`` derives each
endpoint's secret and signs the body; ``operations`` registers, deletes and redelivers.
"""
