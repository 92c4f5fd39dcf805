"""Forms of the services app pages, one module per audience."""
