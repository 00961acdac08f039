"""The onboarding domain: accounts, journeys, reviews and the evidence they produce."""
