"""The foundation-model catalog: `from modelwire.models import GPT4o`.

The constants are compiled from specs/models/*.yaml into modelwire.generated.models.
"""

from modelwire.generated.models import *  # noqa: F403  # pyright: ignore[reportWildcardImportFromLibrary]  # this package's own generated catalog (a "library" only through the editable install); its __all__ names every constant
from modelwire.generated.models import ALL_MODELS as ALL_MODELS
from modelwire.generated.models import __all__ as __all__
