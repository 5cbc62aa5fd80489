//! Enums stored and sent as a fixed code (`REFUSAL_TO_ASSESS`): one declaration gives the
//! variants, their codes, the list of all of them and the parse that refuses any other code.

/// `stored_codes! { /// doc  pub enum Name ("what it is") { /// doc  Variant => "CODE", } }`
macro_rules! stored_codes {
    ($(#[$meta:meta])* pub enum $name:ident ($what:literal) {
        $($(#[$vmeta:meta])* $variant:ident => $code:literal,)*
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The code it is stored and sent as.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                }
            }

            pub fn parse(code: &str) -> Result<Self, $crate::domain::assessment::UnknownCode> {
                $crate::domain::assessment::parse_code(Self::ALL, Self::as_str, $what, code)
            }
        }
    };
}
pub(crate) use stored_codes;
