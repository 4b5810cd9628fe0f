//! Random but plausible choices for simulated members: earlier candidates are
//! more popular, and each member picks 1–9.

use rand::seq::index::sample;
use rand::Rng;

const SEATS: u16 = 9;

/// A random selection of 1 to 9 candidates, weighted by popularity.
pub fn choose(weights: &[f64], rng: &mut impl Rng) -> Vec<bool> {
    let k = rng.gen_range(1..=usize::from(SEATS));
    let mut sel = vec![false; weights.len()];
    let mut picked = 0;
    while picked < k {
        let i = sample(rng, weights.len(), 1).index(0);
        let w = weights.get(i).copied().unwrap_or(0.0);
        if let Some(slot) = sel.get_mut(i) {
            if !*slot && rng.gen_bool(w.clamp(0.0, 1.0)) {
                *slot = true;
                picked += 1;
            }
        }
    }
    sel
}
