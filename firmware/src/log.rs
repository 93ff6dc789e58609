//! Logging that is defmt on a board and nothing on the host.
//!
//! Host tests link the app without a defmt global logger, so the macros
//! compile the arguments away there (still type-checking them).

#[cfg(feature = "defmt")]
macro_rules! info {
    ($($arg:tt)*) => { defmt::info!($($arg)*) };
}
#[cfg(feature = "defmt")]
macro_rules! warn {
    ($($arg:tt)*) => { defmt::warn!($($arg)*) };
}
#[cfg(feature = "defmt")]
macro_rules! error {
    ($($arg:tt)*) => { defmt::error!($($arg)*) };
}

#[cfg(not(feature = "defmt"))]
macro_rules! info {
    ($fmt:literal $(, $arg:expr)* $(,)?) => {{ $( let _ = &$arg; )* }};
}
#[cfg(not(feature = "defmt"))]
macro_rules! warn {
    ($fmt:literal $(, $arg:expr)* $(,)?) => {{ $( let _ = &$arg; )* }};
}
#[cfg(not(feature = "defmt"))]
macro_rules! error {
    ($fmt:literal $(, $arg:expr)* $(,)?) => {{ $( let _ = &$arg; )* }};
}

/// Wraps a `core::fmt::Display` value for the log: defmt's adapter on a
/// board, the value itself on the host.
#[cfg(feature = "defmt")]
pub(crate) fn display<T: core::fmt::Display>(value: &T) -> defmt::Display2Format<'_, T> {
    defmt::Display2Format(value)
}
#[cfg(not(feature = "defmt"))]
pub(crate) fn display<T: core::fmt::Display>(value: &T) -> &T {
    value
}
