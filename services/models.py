"""Models of this app arrive with their issues (catalogue, applications; certificate store)."""
