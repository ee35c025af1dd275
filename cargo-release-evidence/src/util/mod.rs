//! Small helpers every layer may use; nothing here knows about cargo, policies or evidence.

pub mod canonical;
pub mod digest;
pub mod fs;
pub mod paths;
pub mod process;
pub mod text;
pub mod time;
