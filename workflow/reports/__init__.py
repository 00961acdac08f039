"""The team lead's view: stage figures and charts, table exports and trail exports."""
