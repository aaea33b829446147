"""moto_server for the integration tests, without two things it recomputes at every request.

moto's dispatcher lists its own package folder (about 180 stat calls) to route each request, and
looks up the response class's methods with inspect.getmembers to find the action. Neither can
change while the server runs, so both are computed once here. A mix of EC2, ELBv2 and S3 describe
calls then costs the emulator 1.7-2.1 ms of CPU per request instead of 3.3-3.4 ms, and the emulator
is most of the test suite's CPU. What each request does and answers is unchanged.

Each replacement is made only where this moto still has the function it replaces; otherwise the
server runs as moto ships it. Arguments are moto_server's.
"""

import functools
import sys

from moto import backends
from moto.core import responses

if hasattr(backends, "list_of_moto_modules"):
    _modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: _modules

if hasattr(responses, "method_names_from_class"):
    # Called with the response class only; the list it returns is only searched.
    responses.method_names_from_class = functools.cache(responses.method_names_from_class)

from moto.server import main  # noqa: E402  (after the replacements, which its imports must see)

sys.exit(main())
