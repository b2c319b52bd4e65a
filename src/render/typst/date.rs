//! The document date as Typst takes it (computed once per build by
//! [`crate::pipeline::book_date`]).

pub use crate::date::DocDate;

/// A date as Typst's datetime.
pub fn to_typst(date: DocDate) -> Option<typst::foundations::Datetime> {
    typst::foundations::Datetime::from_ymd_hms(
        date.year,
        date.month,
        date.day,
        date.hour,
        date.minute,
        date.second,
    )
}
