"""The settings page's API tokens: create one (shown once), see each one's last use, revoke."""
