"""Seeds the local AWS emulator (scripts/local-aws.sh) from a fixture's seed.json.

Usage: .venv/bin/python scripts/seed-aws.py SEED_JSON [--endpoint URL]
       (default endpoint: $AWS_ENDPOINT_URL)

seed.json (every key optional; every item may carry "region", default us-east-1):

  {
    "ssm":     [{"name": "/p", "type": "String|SecureString|StringList", "value": "text"}],
    "s3":      [{"bucket": "b", "key": "k", "body": "text"}],
    "stacks":  [{"name": "s", "outputs": {"OutKey": "value"}}],
    "secrets": [{"name": "n", "value": "text"}]
  }

- ssm: PutParameter (Overwrite). SecureString uses the default key (alias/aws/ssm). A StringList value
  is the comma-separated string.
- s3: CreateBucket (once per bucket) then PutObject with the body as UTF-8.
- stacks: CreateStack with a template holding one AWS::CloudFormation::WaitConditionHandle and each
  output as a literal `Value`; the outputs are read back to check them.
- secrets: Secrets Manager CreateSecret with SecretString (readable through SSM as
  /aws/reference/secretsmanager/<name>).

Values are strings (an output / parameter / body is text in AWS); anything else is rejected.
The credentials are dummies; nothing but the given endpoint is contacted.
"""

import argparse
import json
import os
import sys

import boto3

DEFAULT_REGION = "us-east-1"


def text(item, key, where):
    value = item.get(key)
    if not isinstance(value, str):
        sys.exit(f"seed-aws: {where}: \"{key}\" must be a string, got {json.dumps(value)}")
    return value


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("seed")
    ap.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL"))
    args = ap.parse_args()
    if not args.endpoint:
        sys.exit("seed-aws: no endpoint (--endpoint or AWS_ENDPOINT_URL)")
    with open(args.seed, encoding="utf-8") as f:
        seed = json.load(f)
    unknown = set(seed) - {"ssm", "s3", "stacks", "secrets"}
    if unknown:
        sys.exit(f"seed-aws: unknown keys {sorted(unknown)}")

    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test")

    def client(service, item):
        return session.client(service, region_name=item.get("region", DEFAULT_REGION), endpoint_url=args.endpoint)

    for i, p in enumerate(seed.get("ssm", [])):
        where = f"ssm[{i}]"
        kind = p.get("type", "String")
        if kind not in ("String", "SecureString", "StringList"):
            sys.exit(f"seed-aws: {where}: unsupported type {kind!r}")
        client("ssm", p).put_parameter(Name=text(p, "name", where), Type=kind, Value=text(p, "value", where), Overwrite=True)

    buckets = set()
    for i, o in enumerate(seed.get("s3", [])):
        where = f"s3[{i}]"
        region = o.get("region", DEFAULT_REGION)
        s3 = client("s3", o)
        bucket = text(o, "bucket", where)
        if (bucket, region) not in buckets:
            if region == "us-east-1":
                s3.create_bucket(Bucket=bucket)
            else:
                s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
            buckets.add((bucket, region))
        s3.put_object(Bucket=bucket, Key=text(o, "key", where), Body=text(o, "body", where).encode("utf-8"))

    for i, s in enumerate(seed.get("stacks", [])):
        where = f"stacks[{i}]"
        name = text(s, "name", where)
        outputs = s.get("outputs", {})
        for k in outputs:
            text(outputs, k, f"{where}.outputs")
        template = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
            "Outputs": {k: {"Value": v} for k, v in outputs.items()},
        }
        cf = client("cloudformation", s)
        cf.create_stack(StackName=name, TemplateBody=json.dumps(template))
        cf.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        got = {o["OutputKey"]: o["OutputValue"] for o in cf.describe_stacks(StackName=name)["Stacks"][0].get("Outputs", [])}
        if got != outputs:
            sys.exit(f"seed-aws: {where}: stack {name} has outputs {got}, expected {outputs}")

    for i, s in enumerate(seed.get("secrets", [])):
        where = f"secrets[{i}]"
        client("secretsmanager", s).create_secret(Name=text(s, "name", where), SecretString=text(s, "value", where))

    counts = ", ".join(f"{len(seed.get(k, []))} {k}" for k in ("ssm", "s3", "stacks", "secrets"))
    print(f"seeded {counts}")


if __name__ == "__main__":
    main()
