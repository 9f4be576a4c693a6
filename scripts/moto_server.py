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

3. An AWS::Lambda::Function keeps its PackageType and ImageConfig. moto 5.2.5 passes neither from the
template to the function it creates (nor ImageConfig on an update), so a container-image function made
by a stack reads back as a Zip function without ImageConfig, which `deploy function` then refuses as a
zip/image switch. (Its CreateFunction API keeps both.)

4. Image functions are checked against moto's ECR (MOTO_LAMBDA_STUB_ECR=false unless set otherwise), as
Lambda does: the image must exist in the repository, and the function's CodeSha256 is the image digest
(with the stub, it is the SHA-256 of the URI text, which no deployed image ever matches).

5. With SLSX_MOTO_REQUEST_LOG=<file>, every request is logged to that file as it arrives, one JSON
line each: method, path and query, the headers that name the operation (X-Amz-Target, Content-Type,
Content-Length, X-Amz-Decoded-Content-Length, X-Amz-Copy-Source), the access key id and the service
from the credential scope (never the signature), and the Action of a small form-encoded body. Bodies
are not copied: moto's own recorder base64-encodes and writes every body, which adds about 0.2 s to a
16 MB request and so would weigh on the timings of bench/deploy.sh, which counts requests with this
log instead.

6. UpdateTerminationProtection sets the stack's termination protection, which DescribeStacks reports as
EnableTerminationProtection. moto 5.2.5 keeps the flag (CreateStack sets it) but has no such action,
and answers it with an error the SDKs cannot read. (Deleting a protected stack is not refused.)

7. DescribeStackResource finds a resource in a stack that also holds resource types moto does not
model. moto 5.2.5 keeps those as None in the stack's resource list and fails on the first one with an
AttributeError (a 500), so the call fails for most Serverless stacks (AWS::S3::BucketPolicy).

Everything else is moto as released.
"""

import os
import sys

os.environ.setdefault("MOTO_LAMBDA_STUB_ECR", "false")

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

from moto.awslambda import models as lambda_models

_create_function = lambda_models.LambdaFunction.create_from_cloudformation_json.__func__
_update_function = lambda_models.LambdaFunction.update_from_cloudformation_json.__func__


def _create_function_with_image_settings(cls, resource_name, cloudformation_json, *args, **kwargs):
    fn = _create_function(cls, resource_name, cloudformation_json, *args, **kwargs)
    properties = cloudformation_json.get("Properties", {})
    fn.package_type = properties.get("PackageType", "Zip")
    fn.image_config = lambda_models.ImageConfig(properties.get("ImageConfig") or {})
    return fn


def _update_function_with_image_settings(cls, original_resource, new_resource_name, cloudformation_json, *args, **kwargs):
    fn = _update_function(cls, original_resource, new_resource_name, cloudformation_json, *args, **kwargs)
    properties = cloudformation_json.get("Properties", {})
    if fn.package_type == "Image":
        fn.image_config = lambda_models.ImageConfig(properties.get("ImageConfig") or {})
    return fn


lambda_models.LambdaFunction.create_from_cloudformation_json = classmethod(_create_function_with_image_settings)
lambda_models.LambdaFunction.update_from_cloudformation_json = classmethod(_update_function_with_image_settings)

from moto.cloudformation import responses as cloudformation_responses


def _update_termination_protection(self):
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    stack.enable_termination_protection = self._get_bool_param("EnableTerminationProtection", False)
    return cloudformation_responses.ActionResult({"StackId": stack.stack_id})


cloudformation_responses.CloudFormationResponse.update_termination_protection = _update_termination_protection


def _describe_stack_resource(self, stack_name, logical_resource_id):
    stack = self.get_stack(stack_name)
    for resource in stack.stack_resources:
        if resource is not None and getattr(resource, "logical_resource_id", None) == logical_resource_id:
            return stack, resource
    message = f"Resource {logical_resource_id} does not exist for stack {stack_name}"
    raise models.ValidationError(stack_name, message)


models.CloudFormationBackend.describe_stack_resource = _describe_stack_resource


def _log_requests(path):
    import io
    import json
    import re
    import threading
    from urllib.parse import parse_qs

    from moto.moto_server import werkzeug_app

    lock = threading.Lock()
    log = open(path, "a", encoding="utf-8")
    call = werkzeug_app.DomainDispatcherApplication.__call__
    names = ["HTTP_X_AMZ_TARGET", "CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_X_AMZ_DECODED_CONTENT_LENGTH", "HTTP_X_AMZ_COPY_SOURCE"]

    def logged(self, environ, start_response):
        record = {
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO", ""),
            "query": environ.get("QUERY_STRING", ""),
            "headers": {n: environ[n] for n in names if n in environ},
        }
        scope = re.search(r"Credential=([^/,\s]+)/[^/]+/[^/]+/([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
        record["accessKeyId"] = scope.group(1) if scope else None
        record["service"] = scope.group(2) if scope else None
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", "") and 0 < length <= 65536:
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            record["action"] = parse_qs(body.decode("utf-8", "replace")).get("Action", [None])[0]
        with lock:
            log.write(json.dumps(record) + "\n")
            log.flush()
        return call(self, environ, start_response)

    werkzeug_app.DomainDispatcherApplication.__call__ = logged


if __name__ == "__main__":
    if os.environ.get("SLSX_MOTO_REQUEST_LOG"):
        _log_requests(os.environ["SLSX_MOTO_REQUEST_LOG"])
    from moto.server import main

    sys.exit(main())
