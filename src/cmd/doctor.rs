use crate::cli::Doctor;
use crate::error::Result;

pub fn run(_args: Doctor) -> Result<()> {
    Err(crate::error::Error::new(
        "`doctor` is not built yet",
        "see issue #4",
    ))
}
