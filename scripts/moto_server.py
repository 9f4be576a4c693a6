"""Starts moto's server with two fixes.

1. Change sets refresh the stack's outputs.

moto 5.2.5 applies a change set's resources but keeps the outputs the stack had when it was created
(none, for a stack made by a CREATE change set), while CloudFormation replaces them. slsx deploys through
change sets, reads the deployment bucket and the function versions from the outputs, and reports them,
so tests need them.

2. An AWS::ApiGateway::Method whose integration has no IntegrationHttpMethod or Uri (the MOCK
integration of the OPTIONS method that `cors` adds) is created. moto 5.2.5 reads both keys
unconditionally: the KeyError stops the change set halfway (nothing after the first OPTIONS method is
created) and answers ExecuteChangeSet with a 500, whose retry then finds nothing left to do, so the
deploy seems to succeed. (Its PutIntegration API takes a MOCK integration without them.)

Everything else is moto as released.
"""

import sys

from moto.apigateway import models as apigateway_models
from moto.cloudformation import models


_apply = models.ChangeSet.apply


def _apply_with_outputs(self):
    _apply(self)
    self.stack.template_dict = self.template_dict
    self.stack.output_map = self.stack._create_output_map()


models.ChangeSet.apply = _apply_with_outputs


_create_method = apigateway_models.Method.create_from_cloudformation_json.__func__


def _create_method_without_integration_target(cls, resource_name, cloudformation_json, *args, **kwargs):
    integration = cloudformation_json.get("Properties", {}).get("Integration")
    if isinstance(integration, dict):
        integration = {"IntegrationHttpMethod": None, "Uri": None, **integration}
        properties = {**cloudformation_json["Properties"], "Integration": integration}
        cloudformation_json = {**cloudformation_json, "Properties": properties}
    return _create_method(cls, resource_name, cloudformation_json, *args, **kwargs)


apigateway_models.Method.create_from_cloudformation_json = classmethod(_create_method_without_integration_target)

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main())
