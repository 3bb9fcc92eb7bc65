use crate::cli::Doctor;
use crate::error::Result;

/// The checks live in `crate::doctor`, one module per group.
pub(crate) fn run(args: Doctor) -> Result<()> {
    crate::doctor::run(args)
}
