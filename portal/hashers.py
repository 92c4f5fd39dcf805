"""Argon2id tuned for a login service on small machines.

Django's defaults (100 MiB, t=2, p=8) cost ~130-200 ms per check on two cores, capping a
server at a handful of logins per second per core. OWASP's first recommended setting,
m=19 MiB, t=2, p=1, costs ~20 ms here and is still memory-hard; Django re-hashes older
passwords with these parameters at the next successful login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
