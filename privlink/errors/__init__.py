"""One exception per AWS error code, each owning its message.

`privlink.errors` is the one name services raise from (`errors.InvalidVpcIDNotFound(vpc_id)`).
The classes live in one module per service beside the shared base (`base.py`: `AwsError`,
`IdNotFound`, `IdMalformed`, `Templated`, the factories and the protocol-level errors); a
class added to a service's module is an `errors.X` at once.
"""

from privlink.errors.acm import *  # noqa: F403
from privlink.errors.base import *  # noqa: F403
from privlink.errors.ec2 import *  # noqa: F403
from privlink.errors.elbv2 import *  # noqa: F403
from privlink.errors.flow_logs import *  # noqa: F403
from privlink.errors.iam import *  # noqa: F403
from privlink.errors.insights import *  # noqa: F403
from privlink.errors.logs import *  # noqa: F403
from privlink.errors.mwaa import *  # noqa: F403
from privlink.errors.privatelink import *  # noqa: F403
from privlink.errors.s3 import *  # noqa: F403
from privlink.errors.sns import *  # noqa: F403
