"""The actions, by the part of the procedure they belong to. Importing this package registers them all in
the catalogue (:mod:`shared.domain.casefile.catalogue`) in this order, the order in which the actions
possible now are listed."""
# isort: skip_file

from shared.domain.casefile.actions import triage  # noqa: F401 (each import registers its commands)
from shared.domain.casefile.actions import advocacy  # noqa: F401
from shared.domain.casefile.actions import working  # noqa: F401
from shared.domain.casefile.actions import stage1  # noqa: F401
from shared.domain.casefile.actions import stage2  # noqa: F401
from shared.domain.casefile.actions import stage3  # noqa: F401
from shared.domain.casefile.actions import after  # noqa: F401
from shared.domain.casefile.actions import system  # noqa: F401
from shared.domain.casefile.actions import notes  # noqa: F401
