//! The organiser's routes (spec: api §7.1): create a poll, run nominations,
//! import the roll, issue tokens, open and close voting, start the tally.
//! Every route needs the organiser key. One file a stage: the poll and its
//! voting, the nominations, the roll.

mod nominations;
mod poll;
mod roll;

pub use nominations::*;
pub use poll::*;
pub use roll::*;
