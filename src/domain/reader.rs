//! Who reads a sentence the system writes. The family reads it in the second person ("the
//! council must tell you by..."); the council's staff read what the council, or the family,
//! must do and by when ("Decide whether to assess and tell the family by...").

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// A parent or the young person.
    Family,
    /// Caseworkers, managers and administrators.
    Staff,
}

impl Reader {
    /// The family's words or the staff's.
    pub fn pick<T>(self, family: T, staff: T) -> T {
        match self {
            Reader::Family => family,
            Reader::Staff => staff,
        }
    }
}
