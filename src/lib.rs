//! marcmap: a memory-mapped, zero-copy reader for MARC 21 (ISO 2709) files.

pub mod decode;
pub mod marc8;

pub use decode::ErrorHandling;
