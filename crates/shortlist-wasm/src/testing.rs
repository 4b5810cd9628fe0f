//! Test-only determinism, under a loud name: a ballot from a seeded RNG, so
//! that a test can check that the WebAssembly build makes, byte for byte,
//! the ballot the native build makes from the same randomness.

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use wasm_bindgen::prelude::*;

use crate::poll::Poll;
use crate::{Error, Result};

/// **INSECURE — for tests only.** A cast-ballot payload made with a ChaCha20
/// RNG seeded with `seed` (32 bytes): the credential key is drawn first,
/// then each contest is prepared in manifest order, chosen (`selections`
/// as for `PreparedBallot.choose`) and proven. Anyone who knows the seed
/// knows the vote and holds the credential: never use it for a real ballot.
#[wasm_bindgen(js_name = insecureSeededBallotForTests)]
pub fn insecure_seeded_ballot_for_tests(poll: &Poll, seed: &[u8], selections: &str) -> Result<Vec<u8>> {
    let seed: [u8; 32] = seed.try_into().map_err(|_| Error::new("the seed must be 32 bytes"))?;
    let mut rng = ChaCha20Rng::from_seed(seed);
    crate::ballot::seeded_cast(poll, &mut rng, selections)
}
