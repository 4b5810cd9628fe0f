//! Zero-knowledge proofs (spec: §5). Each proof carries its commitments so
//! that its equations can join a randomized batch (spec: §5.5).

pub mod bit;
pub mod disjunctive;
pub mod dleq;
pub mod range;
pub mod schnorr;
