"""Starts moto's server with one fix: change sets refresh the stack's outputs.

moto 5.2.5 applies a change set's resources but keeps the outputs the stack had when it was created
(none, for a stack made by a CREATE change set), while CloudFormation replaces them. slsx deploys through
change sets, reads the deployment bucket and the function versions from the outputs, and reports them,
so tests need them. Everything else is moto as released.
"""

import sys

from moto.cloudformation import models


_apply = models.ChangeSet.apply


def _apply_with_outputs(self):
    _apply(self)
    self.stack.template_dict = self.template_dict
    self.stack.output_map = self.stack._create_output_map()


models.ChangeSet.apply = _apply_with_outputs

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main())
