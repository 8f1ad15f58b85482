"""The foundation-model catalog: `from modelwire.models import GPT4o`.

The constants are compiled from specs/models/*.yaml into modelwire.generated.models.
"""

from .generated.models import *  # noqa: F403
from .generated.models import ALL_MODELS, __all__  # noqa: F401
