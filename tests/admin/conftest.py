from tests.auth.conftest import mailbox, smtp_app, smtp_server  # noqa: F401 (fixtures)
