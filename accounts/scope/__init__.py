"""The one place that answers "may this user see / change this object?".

Each protected model has a queryset form (``<entities>_visible_to(user)``, ``<entities>_writable_by(user)``)
and an object form (``can_write_<entity>(user, obj)``, ``get_<entity>_for_write(user, key)``). Pages, the API,
the admin, imports and downloads use only these. An object the user cannot see at all is a 404 (same as
a missing one); an object the user can see but may not change is a 403 (``PermissionDenied``).

The rules per domain live in submodules; everything is re-exported here.
"""

from .criteria import *  # noqa: F403
from .directives import *  # noqa: F403
from .ocop import *  # noqa: F403
from .reports import *  # noqa: F403
from .roles import *  # noqa: F403
from .units import *  # noqa: F403
