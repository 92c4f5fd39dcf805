"""Pages of the services app, one module per audience (catalogue, applicant, counter, workbench)."""
