"""Integrations of the secretsift engine with log daemons and pipelines.

- :mod:`secretsift.integrations.syslog_ng`: a syslog-ng ``python()`` parser.

rsyslog runs the command-line tool instead (``secretsift redact --rsyslog``); see
``docs/log-aggregators.md`` in the repository.
"""
