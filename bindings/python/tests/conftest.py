"""Shared fixtures. Fake secrets are assembled at run time so these files do not look like
leaks to secretsift's own scan of the repository."""

from __future__ import annotations

import pytest

import secretsift

# A fake AWS access key id (matches `aws-access-key-id`).
AWS_KEY = "AKIA" + "Q3EGRT4WZYPLN5DX"
# A fake GitHub classic PAT with a valid CRC32 tail (matches `github-pat-classic`).
GITHUB_PAT = "ghp_" + "T7kun60ePONxZti3ElM6fuVCUHNjcr4TTydK"
# A fake Stripe live secret key.
STRIPE_KEY = "sk_" + "live_pdOAHLUUIyNzCHjmlBFJp1vm"


@pytest.fixture(scope="session")
def engine() -> secretsift.Engine:
    return secretsift.default_engine()
