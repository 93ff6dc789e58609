//! Config files and the flags that override them, shared by every command
//! that takes `--config` (train, toy, lab).

use anyhow::{Context, Result, anyhow};
use std::path::Path;

/// The config in `path` (every field optional), or the defaults.
pub fn config_file<T: serde::de::DeserializeOwned + Default>(path: Option<&Path>, what: &str) -> Result<T> {
    let Some(path) = path else { return Ok(T::default()) };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config {}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow!("{} is not a valid {what} config: {e}", path.display()))
}

/// Each flag that was given replaces the config field it names:
/// `field = flag` sets the value, `some field = flag` sets `Some(value)`.
macro_rules! override_fields {
    ($config:ident, $args:ident; $($field:ident = $arg:ident),*) => {
        $(if let Some(v) = $args.$arg { $config.$field = v; })*
    };
    ($config:ident, $args:ident; some $($field:ident = $arg:ident),*) => {
        $(if let Some(v) = $args.$arg { $config.$field = Some(v); })*
    };
}
pub(crate) use override_fields;
