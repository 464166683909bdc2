#!/usr/bin/env python3
"""Check the default ruleset against the coverage list of issue #4 and print any gap.

Each requirement names a credential the issue asks for and how to recognise a rule for it in
rulesets/*.toml: by provider, by rule id, or by a literal the rule's regex must contain (token
prefixes such as `glpat-`). Publishable requirements also need `kind = "publishable"`.
Exit status 1 when something is missing, so the check can run in CI.

    python3 tests/eval/coverage.py          # gaps only, then a one-line summary
    python3 tests/eval/coverage.py -v       # every requirement with the rules that satisfy it
"""
import pathlib
import re
import sys
import tomllib

REPO = pathlib.Path(__file__).resolve().parents[2]

# (label, provider regex or None, id regex or None, regex literal or None, publishable?)
# A rule satisfies a requirement when every given condition holds.
REQ = []


def need(label, provider=None, rid=None, lit=None, publishable=False):
    REQ.append((label, provider, rid, lit, publishable))


# cloud
need("AWS access key id", "aws", r"access-key-id")
need("AWS secret access key", "aws", r"secret-access-key")
need("AWS session token", "aws", r"session-token")
need("GCP service-account JSON key", "google|gcp", r"service-account")
need("Google/GCP API key", "google|gcp", r"api-key", "AIza")
for what, rid in [("storage account key", r"storage.*key"), ("SAS token", r"sas"),
                  ("client secret", r"client-secret"), ("connection string", r"connection-string")]:
    need(f"Azure {what}", "azure", rid)
for p in ["alibaba", "ibm", "oracle", "digitalocean", "linode", "heroku", "vercel", "netlify",
          "cloudflare", "flyio", "supabase", "planetscale"]:
    need(p, p)
# code hosting, CI and registries
for lit, what in [("ghp_", "classic PAT"), ("github_pat_", "fine-grained PAT"), ("gho_", "OAuth token"),
                  ("ghu_", "user-to-server token"), ("ghs_", "server-to-server token"),
                  ("ghr_", "refresh token")]:
    need(f"GitHub {what} ({lit})", "github", None, lit)
for lit, what in [("glpat-", "personal/project/group access token"), ("gloas-", "OAuth application secret"),
                  ("gldt-", "deploy token"), ("glrt-", "runner authentication token"),
                  ("GR1348941", "runner registration token"), ("glcbt-", "CI/CD job token"),
                  ("glptt-", "pipeline trigger token"), ("glft-", "feed token"),
                  ("glimt-", "incoming mail token"), ("glagent-", "agent for Kubernetes token"),
                  ("glsoat-", "SCIM token"), ("glffct-", "feature flags client token"),
                  ("_gitlab_session", "session cookie")]:
    need(f"GitLab {what} ({lit})", "gitlab", None, lit)
for p in ["bitbucket", "circleci", "travisci", "buildkite", "npm", "pypi", "rubygems", "nuget",
          "docker", "huggingface", "jfrog"]:
    need(p, p)
need("Artifactory API key (AKCp)", "jfrog", None, "AKCp")
# AI providers
for lit, what in [("sk-proj-", "project key"), ("sk-None-", "user key"), ("sk-admin-", "admin key"),
                  ("sk-svcacct-", "service account key")]:
    need(f"OpenAI {what}", "openai", None, lit)
for p in ["anthropic", "cohere", "mistral", "groq", "replicate", "perplexity", "deepseek", "xai",
          "together", "fireworks"]:
    need(p, p)
need("Google AI / Gemini key (AIza)", "google", None, "AIza")
# payments and commerce
for lit, what in [("sk_", "secret key (live and test)"), ("rk_", "restricted key"), ("whsec_", "webhook secret")]:
    need(f"Stripe {what}", "stripe", None, lit)
for p in ["square", "paypal|braintree", "adyen", "shopify", "plaid", "flutterwave", "coinbase"]:
    need(p, p)
# messaging and email
need("Slack tokens", "slack", r"token")
need("Slack webhooks", "slack", r"webhook")
need("Discord bot tokens", "discord", r"bot-token")
need("Discord webhooks", "discord", r"webhook")
for p in ["telegram", "twilio", "sendgrid", "mailgun", "mailchimp", "postmark", "messagebird"]:
    need(p, p)
# monitoring and SaaS
for p in ["datadog", "newrelic", "sentry", "grafana", "pagerduty", "atlassian", "linear", "notion",
          "airtable", "asana", "hubspot", "okta", "auth0", "doppler", "1password"]:
    need(p, p)
need("HashiCorp Vault", "hashicorp", r"vault")
need("Terraform Cloud", "hashicorp|terraform", r"terraform")
# publishable flags
need("Stripe publishable key (pk_)", "stripe", None, "pk_", publishable=True)
need("Sentry DSN", "sentry", r"dsn", publishable=True)
need("Algolia search-only key", "algolia", r"search", publishable=True)
need("Supabase anon key", "supabase", r"anon", publishable=True)
need("Firebase/Maps browser key", "google|firebase", None, None, publishable=True)


def load_rules():
    rules = []
    for path in sorted((REPO / "rulesets").glob("*.toml")):
        with open(path, "rb") as f:
            for r in tomllib.load(f).get("rules", []):
                r["_file"] = path.name
                rules.append(r)
    return rules


def satisfies(rule, provider, rid, lit, publishable):
    if provider and not re.fullmatch(provider, rule.get("provider", "")):
        return False
    if rid and not re.search(rid, rule["id"]):
        return False
    if lit and lit not in rule.get("regex", "") and lit.lower() not in [k.lower() for k in rule.get("keywords", [])]:
        return False
    if publishable and rule.get("kind", "secret") != "publishable":
        return False
    return True


def main():
    verbose = "-v" in sys.argv[1:]
    rules = load_rules()
    gaps = 0
    for label, provider, rid, lit, publishable in REQ:
        hits = [r["id"] for r in rules if satisfies(r, provider, rid, lit, publishable)]
        if not hits:
            gaps += 1
            print(f"GAP  {label}")
        elif verbose:
            print(f"ok   {label}: {', '.join(hits[:6])}{' ...' if len(hits) > 6 else ''}")
    providers = {r.get("provider") for r in rules if r.get("provider") != "generic"}
    print(f"{len(REQ)} requirements, {gaps} gap(s); {len(rules)} rules over {len(providers)} providers")
    sys.exit(1 if gaps else 0)


if __name__ == "__main__":
    main()
