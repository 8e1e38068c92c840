"""Starting and stopping the local stack: PostgreSQL, Redis, Elasticsearch, the four services, nginx.

Used by `boxoffice up/down/status` (`boxoffice.stack.commands`) and by the test suite
(`boxoffice.stack.testing`). Importing this package has no side effects.
"""

from boxoffice.stack.core import SERVICES, Ports, Stack, StackError, default_root

__all__ = ["SERVICES", "Ports", "Stack", "StackError", "default_root"]
