//! Shared test-vector runner.
