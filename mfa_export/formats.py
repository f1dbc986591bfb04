"""Outputs that are not shell code."""

import json


def credential_process_json(credentials):
    """The credential_process v1 document the AWS CLI and SDKs read."""
    return json.dumps({"Version": 1, **credentials.to_dict()}, indent=2) + "\n"
