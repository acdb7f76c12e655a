//! Option values by name. Each option enum's names are written once, beside
//! the enum, with [`named_values!`](crate::named_values): that gives its
//! `name()`, its `NAMES`, and a `FromStr` whose error says what the names are.
//! Python's keyword options and the command line read them through these.
//!
//! ```
//! use marcmap::Framing;
//! assert_eq!("strict".parse::<Framing>(), Ok(Framing::Strict));
//! assert_eq!(Framing::Lenient.name(), "lenient");
//! let e = "loose".parse::<Framing>().unwrap_err();
//! assert_eq!(e.to_string(), r#"framing must be one of "strict", "lenient", not "loose""#);
//! ```

use std::fmt;

/// A name that is none of an option's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    option: &'static str,
    names: &'static [&'static str],
    given: String,
}

impl UnknownName {
    /// `given` is none of `names`, the values of `option`.
    pub fn new(option: &'static str, names: &'static [&'static str], given: &str) -> Self {
        UnknownName {
            option,
            names,
            given: given.to_string(),
        }
    }

    /// The option's name (`framing`).
    pub fn option(&self) -> &'static str {
        self.option
    }

    /// The same, for an option of another name that takes these values
    /// (`utf8_handling` and `marc8_handling` both take `ErrorHandling`'s).
    pub fn for_option(mut self, option: &'static str) -> Self {
        self.option = option;
        self
    }
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.names.iter().map(|n| format!("{n:?}")).collect();
        write!(
            f,
            "{} must be one of {}, not {:?}",
            self.option,
            names.join(", "),
            self.given
        )
    }
}

impl std::error::Error for UnknownName {}

// Hidden: exported only so that the core's modules can call it by path
// (`crate::named_values!`) for their option enums; not an API.
/// Gives an option enum of unit variants its names, once: `NAMES`, `name()`
/// and `FromStr` (whose error is an [`UnknownName`]).
#[macro_export]
#[doc(hidden)]
macro_rules! named_values {
    ($ty:ty, $option:literal, { $($name:literal => $value:path),+ $(,)? }) => {
        impl $ty {
            /// Every value's name, in order.
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            /// The value's name, as `FromStr` reads it.
            pub fn name(&self) -> &'static str {
                match self {
                    $($value => $name,)+
                }
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::names::UnknownName;

            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $($name => Ok($value),)+
                    _ => Err($crate::names::UnknownName::new($option, <$ty>::NAMES, s)),
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::decode::ErrorHandling;
    use crate::marc8::{LigatureMapping, Normalization};
    use crate::{Framing, SidecarMode, Validation};
    use std::str::FromStr;

    fn round_trip<T: FromStr + Copy + PartialEq + std::fmt::Debug>(
        names: &[&str],
        name: impl Fn(&T) -> &'static str,
    ) where
        T::Err: std::fmt::Display,
    {
        for n in names {
            let Ok(value) = n.parse::<T>() else {
                panic!("{n} does not parse");
            };
            assert_eq!(name(&value), *n);
        }
        let e = "no such value".parse::<T>().expect_err("an unknown name");
        for n in names {
            assert!(e.to_string().contains(&format!("{n:?}")), "{e}");
        }
    }

    #[test]
    fn every_option_reads_its_own_names() {
        round_trip::<Framing>(Framing::NAMES, Framing::name);
        round_trip::<Validation>(Validation::NAMES, Validation::name);
        round_trip::<ErrorHandling>(ErrorHandling::NAMES, ErrorHandling::name);
        round_trip::<SidecarMode>(SidecarMode::NAMES, SidecarMode::name);
        round_trip::<Normalization>(Normalization::NAMES, Normalization::name);
        round_trip::<LigatureMapping>(LigatureMapping::NAMES, LigatureMapping::name);
        let e = "x".parse::<ErrorHandling>().unwrap_err();
        assert!(e
            .for_option("utf8_handling")
            .to_string()
            .starts_with("utf8_handling must be"));
    }
}
