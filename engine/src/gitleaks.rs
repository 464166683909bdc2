//! Reading rules written in the gitleaks configuration format (`[[rules]]` with `id`,
//! `regex`, `secretGroup`, `keywords`, `entropy`, `allowlist`), so teams can bring their rules.
