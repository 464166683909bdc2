//! Where findings go: a push interface, like grep-searcher's `Sink`.

use std::convert::Infallible;

use crate::finding::{Finding, FindingBuf};

/// Receives findings from a [`crate::Scanner`], in order of their start offset.
///
/// Findings borrow the scanner's buffer: copy what you need (or call
/// [`Finding::to_buf`]) inside the call. An error stops the scan and is returned to the caller
/// of `feed`/`finish`.
pub trait Sink {
    /// The error a sink can fail with.
    type Error;
    /// Called once per finding.
    fn finding(&mut self, finding: &Finding<'_>) -> Result<(), Self::Error>;
}

impl<S: Sink + ?Sized> Sink for &mut S {
    type Error = S::Error;
    fn finding(&mut self, finding: &Finding<'_>) -> Result<(), Self::Error> {
        (**self).finding(finding)
    }
}

/// Collects owned findings (allocates per finding; for convenience, not for hot paths).
#[derive(Debug, Default)]
pub struct Collect {
    /// Findings in input order.
    pub findings: Vec<FindingBuf>,
}

impl Sink for Collect {
    type Error = Infallible;
    fn finding(&mut self, finding: &Finding<'_>) -> Result<(), Infallible> {
        self.findings.push(finding.to_buf());
        Ok(())
    }
}

/// Wraps a closure as a sink.
pub struct FnSink<F>(pub F);

impl<F: FnMut(&Finding<'_>)> Sink for FnSink<F> {
    type Error = Infallible;
    fn finding(&mut self, finding: &Finding<'_>) -> Result<(), Infallible> {
        (self.0)(finding);
        Ok(())
    }
}

/// Counts findings without keeping them (allocation-free).
#[derive(Debug, Default, Clone, Copy)]
pub struct Count(pub u64);

impl Sink for Count {
    type Error = Infallible;
    fn finding(&mut self, _: &Finding<'_>) -> Result<(), Infallible> {
        self.0 += 1;
        Ok(())
    }
}
