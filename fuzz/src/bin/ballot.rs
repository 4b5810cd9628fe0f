//! AFL++ target `ballot`: see `shortlist_fuzz::targets::ballot`.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        shortlist_fuzz::targets::ballot(data);
    });
}
